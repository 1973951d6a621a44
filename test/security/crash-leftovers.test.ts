import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDirLock, stateFromStat } from '../../src/database/lock.js';

/** What a crash (kill -9, power loss) leaves behind, and how the next start deals with it. */

const dirs: string[] = [];
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the folder lock and a holder killed with -9 but not yet reaped', () => {
  it.each([
    ['1234 (node) S 1 2 3', 'S'],
    ['1234 (a) Z (b)) Z 1 2', 'Z'],
    ['1234 (fitness builder) R 1', 'R'],
    ['garbage', null],
  ])('reads the state of %j', (stat, state) => {
    expect(stateFromStat(stat)).toBe(state);
  });

  it('takes over a lock whose holder is a zombie', async () => {
    const dir = tmp('fb-zombie-');
    // The shell starts the holder, then becomes `sleep`, which never reaps it: once killed, the
    // holder stays a zombie for as long as its parent lives.
    const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const holder = Number((await new Promise<Buffer>((resolve) => parent.stdout.once('data', resolve))).toString().trim());
      fs.writeFileSync(path.join(dir, 'fitness-builder.lock'), `${holder}\n`);
      process.kill(holder, 'SIGKILL');
      // Read here rather than with stateFromStat, so the precondition does not rest on the code tested.
      const state = () => /\)\s+(\S)/.exec(fs.readFileSync(`/proc/${holder}/stat`, 'utf8'))?.[1];
      for (let i = 0; i < 100 && state() !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(state()).toBe('Z');
      const lock = acquireDirLock(dir);
      expect(fs.readFileSync(path.join(dir, 'fitness-builder.lock'), 'utf8').trim()).toBe(String(process.pid));
      lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
