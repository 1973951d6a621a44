import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/database/pglite.js';
import { acquireDirLock } from '../../src/database/lock.js';
import { UnavailableError } from '../../src/errors.js';

const fixture = path.resolve(import.meta.dirname, '../fixtures/open-data-dir.ts');
const tsxArgs = ['--import', 'tsx', fixture];

describe('the PGlite data folder lock', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second process while the first holds the folder, and lets it in afterwards', async () => {
    const dir = tmp();
    const holder = spawn(process.execPath, [...tsxArgs, dir, 'hold'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const firstLine = await new Promise<string>((resolve) => holder.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    expect(firstLine).toContain('opened');

    const second = spawnSync(process.execPath, [...tsxArgs, dir], { encoding: 'utf8' });
    expect(second.status).toBe(3);
    expect(second.stdout).toMatch(/in use by another fitness-builder process \(pid \d+\)/);

    holder.stdin.end();
    await new Promise((resolve) => holder.once('exit', resolve));
    const third = spawnSync(process.execPath, [...tsxArgs, dir], { encoding: 'utf8' });
    expect(third.stdout).toContain('opened');
    expect(third.status).toBe(0);
  });

  it('takes over a lock left by a process that no longer exists (kill -9)', async () => {
    const dir = tmp();
    const holder = spawn(process.execPath, [...tsxArgs, dir, 'hold'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    const db = await openPglite({ dataDir: dir });
    expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await db.close();
  });

  it('refuses opening the same folder twice in one process', () => {
    const dir = tmp();
    const lock = acquireDirLock(dir);
    expect(() => acquireDirLock(dir)).toThrow(UnavailableError);
    lock.release();
    acquireDirLock(dir).release();
  });
});
