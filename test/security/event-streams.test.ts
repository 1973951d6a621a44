import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobStreams } from '../../src/api/job-streams.js';
import { createJob, updateJobStatus, type Job } from '../../src/jobs/index.js';
import { EVENT_STREAMS_PER_CLIENT } from '../../src/limits.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Job event streams as a flood would use them: a cap per client and in total (429 in the
 * envelope beyond), finished streams that end and free their slot, and one database read per
 * job and tick however many streams watch it.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('JobStreams', () => {
  const job = { id: 'j', status: 'pending' } as Job;

  it('caps streams per client and in total, and a release gives the slot back once', () => {
    const streams = new JobStreams(async () => job, { pollMs: 10, perClient: 2, total: 3 });
    const a1 = streams.admit('a');
    const a2 = streams.admit('a');
    expect(streams.admit('a')).toEqual({ refused: 'client' });
    const b1 = streams.admit('b');
    expect(streams.admit('c')).toEqual({ refused: 'total' });
    if (!('release' in a1) || !('release' in a2) || !('release' in b1)) throw new Error('admitted');
    a1.release();
    a1.release();
    expect(streams.open).toBe(2);
    expect('release' in streams.admit('a')).toBe(true);
    expect(streams.admit('c')).toEqual({ refused: 'total' });
  });

  it('feeds every watcher of a job from one read per tick, and stops reading when the last leaves', async () => {
    const read = vi.fn(async () => job);
    const streams = new JobStreams(read, { pollMs: 20, perClient: 100, total: 100 });
    const seen = [0, 0, 0, 0, 0];
    const stops = seen.map((_, i) => streams.watch('j', () => seen[i]!++));
    await sleep(200);
    const reads = read.mock.calls.length;
    expect(reads).toBeGreaterThan(2);
    expect(reads).toBeLessThanOrEqual(11);
    for (const n of seen) expect(Math.abs(n - reads)).toBeLessThanOrEqual(1);
    for (const stop of stops) stop();
    await sleep(100);
    expect(read.mock.calls.length - reads).toBeLessThanOrEqual(1);
  });
});

describe.each(BACKENDS)('job event streams over HTTP on %s', (backend) => {
  let s: TestServer;
  const aborts: AbortController[] = [];
  beforeAll(async () => {
    s = await startTestServer(backend);
  }, 120_000);
  afterEach(async () => {
    for (const a of aborts.splice(0)) a.abort();
    vi.restoreAllMocks();
    await sleep(100);
  });
  afterAll(async () => s?.close());

  const pending = async () => (await createJob(s.ctx.db, { type: 'process', payload: { url: 'https://example.com/v.mp4' } })).job;
  const openStream = async (id: string) => {
    const abort = new AbortController();
    aborts.push(abort);
    const response = await fetch(`${s.url}/api/v1/jobs/${id}/events`, { signal: abort.signal });
    return { response, abort };
  };

  it(`refuses the stream past ${EVENT_STREAMS_PER_CLIENT} from one client with 429 in the envelope, and takes it once one closes`, async () => {
    const job = await pending();
    const streams = [];
    for (let i = 0; i < EVENT_STREAMS_PER_CLIENT; i++) streams.push(await openStream(job.id));
    for (const { response } of streams) expect(response.status).toBe(200);
    const refused = await s.request(`/api/v1/jobs/${job.id}/events`);
    expect(refused.status).toBe(429);
    expect(Object.keys(refused.body).sort()).toEqual(['detail', 'request_id']);
    expect(refused.body.detail).toMatch(/event streams/);
    streams[0]!.abort.abort();
    await sleep(200);
    expect((await openStream(job.id)).response.status).toBe(200);
  });

  it('ends streams of a finished job, which frees their slots', async () => {
    const job = await pending();
    const streams = [];
    for (let i = 0; i < EVENT_STREAMS_PER_CLIENT; i++) streams.push(await openStream(job.id));
    await updateJobStatus(s.ctx.db, job.id, 'done', { result: { processed_clips: [] }, step: 'storing', percent: 100 });
    // Each body ends on its own (the server closes it) with the final state last.
    for (const { response } of streams) expect(await response.text()).toMatch(/"status":"done"[^\n]*\n\n$/);
    const done = await openStream(job.id);
    expect(done.response.status).toBe(200);
    expect(await done.response.text()).toContain('"status":"done"');
  });

  it('N watchers of one job cost one job read per tick, not N', async () => {
    const job = await pending();
    const watchers = 8;
    for (let i = 0; i < watchers; i++) expect((await openStream(job.id)).response.status).toBe(200);
    const query = vi.spyOn(s.ctx.db, 'query');
    const started = Date.now();
    await sleep(2000);
    const elapsed = Date.now() - started;
    const reads = query.mock.calls.filter(([sql]) => /FROM jobs WHERE id = \$1/.test(String(sql))).length;
    // One poll every 400 ms, give or take one at either end of the window.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / 400) + 1);
  });
});
