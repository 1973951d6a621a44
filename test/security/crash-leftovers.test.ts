import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ownClipPaths, stageRemoval } from '../../src/database/clip-files.js';
import { getExerciseById, storeExercise } from '../../src/database/index.js';
import { acquireDirLock, stateFromStat } from '../../src/database/lock.js';
import { startClipSweeper, sweepClipFiles } from '../../src/services/clip-sweep.js';
import { createContext } from '../../src/services/context.js';
import { deleteExercise } from '../../src/services/library.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { BACKENDS, createTestSchema, dropTestSchema, schemaDatabaseUrl } from '../helpers/db.js';

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

const storeFixture = path.resolve(import.meta.dirname, '../fixtures/store-until-killed.ts');

/** The pid of a process that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

const base = { url: 'https://example.com/videos/workout.mp4', exercise_name: 'Goblet Squat' };

describe.each(BACKENDS)('clip files a crash leaves in CLIPS_DIR, on %s', (backend) => {
  it('a process killed with -9 while storing leaves clip files without rows; the next start removes them', async () => {
    const dataDir = tmp('fb-store-kill-');
    const schema = backend === 'postgres' ? await createTestSchema() : undefined;
    const env = { DATA_DIR: dataDir, RUN_WORKER: 'false', ...(schema ? { DATABASE_URL: schemaDatabaseUrl(schema) } : {}) };
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', storeFixture, dataDir, env.DATABASE_URL ?? ''], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('storing') && resolve(d.toString()));
        child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
      });
      const clipsDir = line.trim().slice('storing '.length);
      expect(fs.readdirSync(clipsDir).filter((n) => !n.startsWith('.'))).toHaveLength(6);
      child.kill('SIGKILL');
      await exited;

      // A start within the grace period keeps them (they could be another process's, mid-commit).
      const young = await createContext(loadConfig(env));
      try {
        (await startClipSweeper(young)).stop();
        expect(fs.readdirSync(clipsDir).filter((n) => !n.startsWith('.'))).toHaveLength(6);
      } finally {
        await young.close();
      }
      const ctx = await createContext(loadConfig({ ...env, CLIP_SWEEP_GRACE_SECONDS: '0' }));
      try {
        expect(await ctx.db.query('SELECT id FROM exercises')).toEqual([]);
        (await startClipSweeper(ctx)).stop();
        expect(fs.readdirSync(clipsDir).filter((n) => !n.startsWith('.'))).toEqual([]);
      } finally {
        await ctx.close();
      }
    } finally {
      if (schema) await dropTestSchema(schema);
    }
  }, 120_000);

  describe('the sweep', () => {
    let t: TestContext;
    let clipsDir: string;
    const sweep = (graceSeconds = 0) => sweepClipFiles(t.ctx.db, clipsDir, { graceSeconds });
    const write = (name: string, content = name) => fs.writeFileSync(path.join(clipsDir, name), content);
    const hide = (name: string, pid: number, at = Date.now()) => fs.renameSync(path.join(clipsDir, name), path.join(clipsDir, `.deleting-${pid}-${at}-${name}`));
    const listing = () => fs.readdirSync(clipsDir).sort();
    beforeAll(async () => {
      t = await createTestContext(backend);
      clipsDir = t.config.clipsDir;
    });
    afterAll(async () => {
      await t?.close();
    });
    beforeEach(async () => {
      fs.rmSync(clipsDir, { recursive: true, force: true });
      fs.mkdirSync(clipsDir, { recursive: true });
      await t.ctx.db.query('TRUNCATE exercises CASCADE');
    });

    async function storeWithClip(): Promise<{ id: string; clip: string; thumb: string }> {
      const id = randomUUID();
      const paths = ownClipPaths(id);
      await storeExercise(t.ctx.db, { ...base, exercise_name: `Exercise ${id}`, id, ...paths });
      write(`${id}.mp4`);
      write(`${id}.jpg`);
      return { id, clip: `${id}.mp4`, thumb: `${id}.jpg` };
    }

    it('after a crash between moving files aside and the commit: puts back the files of a row that survived, removes those of a row that is gone', async () => {
      const kept = await storeWithClip();
      const gone = `${randomUUID()}.mp4`;
      write(gone);
      const dead = deadPid();
      hide(kept.clip, dead);
      hide(kept.thumb, dead);
      hide(gone, dead);
      expect(await sweep(3600)).toMatchObject({ hiddenRestored: 2, hiddenRemoved: 1 });
      expect(listing()).toEqual([kept.clip, kept.thumb].sort());
      expect(fs.readFileSync(path.join(clipsDir, kept.clip), 'utf8')).toBe(kept.clip);
    });

    it('leaves hidden files of a delete still running here or in a live process, until the grace period ends', async () => {
      const running = await storeWithClip();
      const removal = await stageRemoval([path.join(clipsDir, running.clip)]);
      const other = await storeWithClip();
      hide(other.clip, process.ppid);
      await sweep(3600);
      expect(listing().filter((n) => n.startsWith('.deleting-'))).toHaveLength(2);
      // Past the grace period the other process's file is decided; ours still waits for its commit.
      expect(await sweep(0)).toMatchObject({ hiddenRestored: 1 });
      expect(listing()).toContain(other.clip);
      await removal.rollback();
      expect(listing()).toContain(running.clip);
    });

    it('removes unreferenced clip files past the grace period only, and never a referenced one', async () => {
      const owned = await storeWithClip();
      // A row (from an older version, or the API) may name a file that is not its own: still referenced.
      write('legacy-clip.mp4');
      await storeExercise(t.ctx.db, { ...base, url: 'https://example.com/other.mp4', video_path: 'storage/clips/legacy-clip.mp4' });
      write('orphan.mp4');
      write('.not-a-clip');
      expect(await sweep(3600)).toMatchObject({ orphansRemoved: 0 });
      expect(listing()).toContain('orphan.mp4');
      expect(await sweep(0)).toMatchObject({ orphansRemoved: 1 });
      expect(listing()).toEqual(['.not-a-clip', 'legacy-clip.mp4', owned.clip, owned.thumb].sort());
    });

    it('removes a restore staging folder left by a dead process, moving out the files of rows it committed', async () => {
      const committed = await storeWithClip();
      fs.rmSync(path.join(clipsDir, committed.clip));
      const staging = path.join(clipsDir, `.restore-${deadPid()}-${Date.now()}-abc`);
      fs.mkdirSync(staging);
      fs.writeFileSync(path.join(staging, 'x.mp4'), 'partial');
      fs.writeFileSync(path.join(staging, committed.clip), 'restored');
      expect(await sweep(3600)).toMatchObject({ stagingRemoved: 1, hiddenRestored: 1, hiddenRemoved: 1 });
      expect(listing()).toEqual([committed.clip, committed.thumb].sort());
      expect(fs.readFileSync(path.join(clipsDir, committed.clip), 'utf8')).toBe('restored');
    });

    it('a delete removes only the files the row owns, never another exercise\'s clip it points at', async () => {
      const victim = await storeWithClip();
      const crafted = await storeExercise(t.ctx.db, { ...base, url: 'https://example.com/crafted.mp4', video_path: `storage/clips/${victim.clip}`, thumbnail_path: `storage/clips/${victim.thumb}` });
      await deleteExercise(t.ctx, crafted.id);
      expect(await getExerciseById(t.ctx.db, crafted.id)).toBeNull();
      expect(listing()).toEqual([victim.clip, victim.thumb].sort());
    });
  });
});
