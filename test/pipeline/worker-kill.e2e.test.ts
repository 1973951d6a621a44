import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/services/worker.js';
import { getExercisesByUrl } from '../../src/database/index.js';
import { getJobStatus } from '../../src/jobs/index.js';
import { waitForJob } from '../../src/services/jobs.js';
import { submitUrl } from '../../src/services/processing.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';
import { makeTempDir, makeTestVideo } from '../helpers/videos.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * `fitness-builder worker` in its own process, killed with -9 in the middle of a job: the job
 * is claimed again when the lease expires, finishes exactly once, and nothing is left behind.
 */
describe('a worker process killed mid-job on the PostgreSQL server', () => {
  let t: TestContext;
  let media: http.Server;
  let mediaUrl: string;
  let video: Buffer;
  let hold = true;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const dir = await makeTempDir('fb-kill-');
    await makeTestVideo(path.join(dir, 'v.mp4'), { duration: 6, scenes: [3], audio: true, label: false });
    video = fs.readFileSync(path.join(dir, 'v.mp4'));
    fs.rmSync(dir, { recursive: true, force: true });
    // While `hold` is set the server sends headers and half the body, then stalls.
    media = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length });
      if (!hold) return res.end(video);
      res.write(video.subarray(0, video.length >> 1));
    });
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/v.mp4`;
    t = await createTestContext('postgres', { JOB_LEASE_SECONDS: '2' });
  }, 120_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await t?.close();
    media?.closeAllConnections();
    await new Promise((r) => media?.close(r));
  });

  it('is taken over and finishes exactly once, with no orphans', async () => {
    const { job } = await submitUrl(t.ctx, { url: mediaUrl, exercises: [{ name: 'Squat', start_time: 0, end_time: 3 }, { name: 'Row', start_time: 3, end_time: 6 }] });
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${t.ctx.db.kind === 'postgres' ? `${(await t.ctx.db.query<{ s: string }>('SELECT current_schema() AS s'))[0]!.s},public` : ''}`);
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'worker'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url.toString(), DATA_DIR: t.dataDir, JOB_LEASE_SECONDS: '2', ALLOW_PRIVATE_URLS: 'true', LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    for (let i = 0; i < 600; i++) {
      const j = (await getJobStatus(t.ctx.db, job.id))!;
      if (j.status === 'in_progress' && j.progress.step === 'downloading') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await getJobStatus(t.ctx.db, job.id))!.progress.step).toBe('downloading');
    expect(fs.readdirSync(t.config.tempDir).some((n) => n.startsWith(`job-${job.id}-`))).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    hold = false;
    startWorker(t.ctx, 1);
    const done = await waitForJob(t.ctx, job.id, 60_000);
    expect(done.status).toBe('done');
    expect(done.attempts).toBe(2);
    const rows = await getExercisesByUrl(t.ctx.db, mediaUrl);
    expect(rows.map((r) => r.exercise_name)).toEqual(['Squat', 'Row']);
    const files = fs.readdirSync(t.config.clipsDir).filter((f) => !f.startsWith('.')).sort();
    expect(files).toEqual(rows.flatMap((r) => [`${r.id}.jpg`, `${r.id}.mp4`]).sort());
    // The handler removes its folder before the worker lets go of the job.
    for (let i = 0; i < 600 && t.ctx.worker!.activeJobs.length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(t.ctx.worker!.activeJobs).toEqual([]);
    expect(fs.readdirSync(t.config.tempDir)).toEqual([]);
  });
});
