import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/database/db.js';
import { ProcessingError } from '../../src/errors.js';
import {
  cancelJob,
  claimJob,
  completeJob,
  countJobsByStatus,
  createJob,
  getJobStatus,
  listJobs,
  pruneJobs,
  updateJobStatus,
  Worker,
  type Job,
} from '../../src/jobs/index.js';
import { BACKENDS, openTestDb, TEST_DATABASE_URL, type TestDb } from '../helpers/db.js';

async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(BACKENDS)('job queue on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM jobs');
  });

  it('creates, reads and updates jobs with a JSON result object', async () => {
    const { job, created } = await createJob(t.db, { type: 'process_url', payload: { url: 'https://x.test/a.mp4' } });
    expect(created).toBe(true);
    expect(job).toMatchObject({ status: 'pending', result: null, error: null, progress: { step: null, percent: 0 } });
    const done = await updateJobStatus(t.db, job.id, 'done', { result: { total_clips: 2, ok: true } });
    expect(done.result).toEqual({ total_clips: 2, ok: true });
    expect(done.finished_at).not.toBeNull();
    expect(await getJobStatus(t.db, job.id)).toEqual(done);
    expect(await getJobStatus(t.db, 'not-a-uuid')).toBeNull();
    await expect(updateJobStatus(t.db, job.id, 'bogus' as never)).rejects.toThrow(/status/);
    expect(await countJobsByStatus(t.db)).toEqual({ pending: 0, in_progress: 0, done: 1, failed: 0 });
    expect((await listJobs(t.db, { status: 'done' })).map((j) => j.id)).toEqual([job.id]);
  });

  it('makes one job from concurrent submissions of one key, and a new one once it finished', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => createJob(t.db, { type: 'p', dedupeKey: 'k1' })));
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    await updateJobStatus(t.db, results[0]!.job.id, 'done', { result: {} });
    const again = await createJob(t.db, { type: 'p', dedupeKey: 'k1' });
    expect(again.created).toBe(true);
  });

  it('claims each job once; an expired lease is claimed again; completion needs the lease', async () => {
    const { job } = await createJob(t.db, { type: 'p' });
    const first = await claimJob(t.db, 'w1', 30, ['p']);
    expect(first!.id).toBe(job.id);
    expect(await claimJob(t.db, 'w2', 30, ['p'])).toBeNull();
    // The lease runs out (set in the past rather than slept for: no race with a busy machine).
    await t.db.query(`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1`, [job.id]);
    const second = await claimJob(t.db, 'w2', 30, ['p']);
    expect(second).toMatchObject({ id: job.id, attempts: 2 });
    await expect(t.db.transaction((tx) => completeJob(tx, job.id, 'w1', {}))).rejects.toThrow(/no longer owned/);
    await t.db.transaction((tx) => completeJob(tx, job.id, 'w2', { by: 'w2' }));
    expect((await getJobStatus(t.db, job.id))!.result).toEqual({ by: 'w2' });
  });

  it('retries retryable faults with backoff and fails permanent ones at once', async () => {
    const flaky = (await createJob(t.db, { type: 'flaky', maxAttempts: 3 })).job;
    const broken = (await createJob(t.db, { type: 'broken', maxAttempts: 3 })).job;
    let calls = 0;
    const worker = new Worker(t.db, {
      concurrency: 1,
      leaseSeconds: 30,
      pollIntervalMs: 20,
      retryBaseSeconds: 0.05,
      handlers: {
        flaky: async (_job, ctx) => {
          calls++;
          await ctx.progress('downloading', 10);
          if (calls < 3) throw new ProcessingError('HTTP 503 from the source', { retryable: true });
          return { calls };
        },
        broken: async () => {
          throw new ProcessingError('Not a video', { retryable: false });
        },
      },
    });
    worker.start();
    const done = await until(async () => {
      const j = await getJobStatus(t.db, flaky.id);
      return j?.status === 'done' ? j : null;
    });
    const failed = await until(async () => {
      const j = await getJobStatus(t.db, broken.id);
      return j?.status === 'failed' ? j : null;
    });
    await worker.stop();
    expect(done).toMatchObject({ attempts: 3, result: { calls: 3 }, progress: { percent: 100 } });
    expect(failed).toMatchObject({ attempts: 1, error: 'Not a video' });
  });

  it('gives up after the attempt limit', async () => {
    const job = (await createJob(t.db, { type: 'down', maxAttempts: 2 })).job;
    const worker = new Worker(t.db, {
      concurrency: 1,
      leaseSeconds: 30,
      pollIntervalMs: 20,
      retryBaseSeconds: 0.01,
      handlers: { down: async () => Promise.reject(new ProcessingError('timeout', { retryable: true })) },
    });
    worker.start();
    const failed = await until(async () => {
      const j = await getJobStatus(t.db, job.id);
      return j?.status === 'failed' ? j : null;
    });
    await worker.stop();
    expect(failed).toMatchObject({ attempts: 2, error: 'timeout', error_code: 'processing_failed' });
  });

  it('cancels pending jobs at once and running jobs at their next step', async () => {
    const pending = (await createJob(t.db, { type: 'none' })).job;
    expect(await cancelJob(t.db, pending.id)).toMatchObject({ status: 'failed', error: 'Cancelled' });
    const running = (await createJob(t.db, { type: 'long' })).job;
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const worker = new Worker(t.db, {
      concurrency: 1,
      leaseSeconds: 30,
      pollIntervalMs: 20,
      handlers: {
        long: async (_job, ctx) => {
          started();
          for (let i = 0; i < 200; i++) {
            await new Promise((r) => setTimeout(r, 25));
            await ctx.progress('working', i / 2);
          }
          return {};
        },
      },
    });
    worker.start();
    await startedP;
    await cancelJob(t.db, running.id);
    const cancelled = await until(async () => {
      const j = await getJobStatus(t.db, running.id);
      return j?.status === 'failed' ? j : null;
    });
    await worker.stop();
    expect(cancelled.error).toBe('Cancelled');
  });

  it('refuses to cancel a job that already ended (409), leaving it as it was', async () => {
    const job = (await createJob(t.db, { type: 'none' })).job;
    await cancelJob(t.db, job.id);
    const before = await getJobStatus(t.db, job.id);
    expect(before).toMatchObject({ status: 'failed', error: 'Cancelled', error_code: 'cancelled' });
    await expect(cancelJob(t.db, job.id)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/already failed/) });
    expect(await getJobStatus(t.db, job.id)).toEqual(before);
  });

  it('hands a running job back to the queue on shutdown', async () => {
    const job = (await createJob(t.db, { type: 'slow' })).job;
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const worker = new Worker(t.db, {
      concurrency: 1,
      leaseSeconds: 30,
      pollIntervalMs: 20,
      handlers: {
        slow: async (_job, ctx) => {
          started();
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
          return {};
        },
      },
    });
    worker.start();
    await startedP;
    await worker.stop(50);
    expect(await getJobStatus(t.db, job.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('notify() wakes every idle loop, so concurrent jobs start together', async () => {
    // A poll interval far beyond the test timeout: only notify() can start these jobs.
    let started = 0;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const worker = new Worker(t.db, {
      concurrency: 3,
      leaseSeconds: 30,
      pollIntervalMs: 600_000,
      handlers: {
        together: async () => {
          started++;
          await released;
          return {};
        },
      },
    });
    worker.start();
    await until(async () => worker.idleLoops === 3);
    for (let i = 0; i < 3; i++) await createJob(t.db, { type: 'together' });
    worker.notify();
    try {
      await until(async () => started === 3);
    } finally {
      release();
    }
    await until(async () => (await countJobsByStatus(t.db)).done === 3);
    await worker.stop();
    expect(started).toBe(3);
  });

  it('stop() wakes every sleeping loop instead of waiting for their next poll', async () => {
    const worker = new Worker(t.db, { concurrency: 4, leaseSeconds: 30, pollIntervalMs: 600_000, handlers: { none: async () => ({}) } });
    worker.start();
    await until(async () => worker.idleLoops === 4);
    // With one wake-up slot, three loops slept on for ten minutes and this outlived the test timeout.
    await worker.stop();
    expect(worker.idleLoops).toBe(0);
  });

  it('prunes finished jobs past the retention', async () => {
    const old = (await createJob(t.db, { type: 'p' })).job;
    await updateJobStatus(t.db, old.id, 'done', { result: {} });
    await t.db.query(`UPDATE jobs SET finished_at = now() - interval '40 days' WHERE id = $1`, [old.id]);
    const recent = (await createJob(t.db, { type: 'p' })).job;
    await updateJobStatus(t.db, recent.id, 'failed', { error: 'x' });
    expect(await pruneJobs(t.db, 30)).toBe(1);
    expect(await getJobStatus(t.db, old.id)).toBeNull();
    expect(await getJobStatus(t.db, recent.id)).not.toBeNull();
  });
});

describe('job queue across processes on the PostgreSQL server', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb('postgres');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('two workers on one server claim disjoint jobs', async () => {
    const other = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 4, searchPath: `${t.schema},public` });
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push((await createJob(t.db, { type: 'count' })).job.id);
    const seen: Record<string, string[]> = { a: [], b: [] };
    const make = (db: typeof t.db, name: 'a' | 'b') =>
      new Worker(db, {
        concurrency: 3,
        leaseSeconds: 30,
        pollIntervalMs: 10,
        handlers: {
          count: async (job: Job) => {
            seen[name]!.push(job.id);
            await new Promise((r) => setTimeout(r, 5));
            return { by: name };
          },
        },
      });
    const a = make(t.db, 'a');
    const b = make(other, 'b');
    a.start();
    b.start();
    await until(async () => (await countJobsByStatus(t.db)).done === 30);
    await Promise.all([a.stop(), b.stop()]);
    await other.close();
    const all = [...seen.a!, ...seen.b!];
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    expect(seen.a!.length).toBeGreaterThan(0);
    expect(seen.b!.length).toBeGreaterThan(0);
  });

  it('a worker killed with -9 mid-job leaves the job to be finished exactly once by another', async () => {
    const job = (await createJob(t.db, { type: 'slow', maxAttempts: 3 })).job;
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../fixtures/worker-process.ts'), t.schema!], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('running') && resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await getJobStatus(t.db, job.id))!.status).toBe('in_progress');
    let runs = 0;
    const rescuer = new Worker(t.db, {
      concurrency: 1,
      leaseSeconds: 30,
      pollIntervalMs: 50,
      handlers: {
        slow: async () => {
          runs++;
          return { finishedBy: 'rescuer' };
        },
      },
    });
    rescuer.start();
    const done = await until(async () => {
      const j = await getJobStatus(t.db, job.id);
      return j?.status === 'done' ? j : null;
    });
    await rescuer.stop();
    expect(runs).toBe(1);
    expect(done).toMatchObject({ attempts: 2, result: { finishedBy: 'rescuer' } });
  });
});
