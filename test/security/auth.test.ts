import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/services/worker.js';
import Fastify from 'fastify';
import { bearerToken, installAuth, routePolicies } from '../../src/api/auth.js';
import { ProcessingError, publicReason, UnavailableError, ValidationError } from '../../src/errors.js';
import { BACKENDS } from '../helpers/db.js';
import { startMediaServer, type MediaServer } from '../helpers/media-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeTempDir, makeTestVideo } from '../helpers/videos.js';

/**
 * Who may read what with API_KEY set, and what an error tells a client: a short reason, never a
 * tool's stderr or a path on the server.
 */
const KEY = 's3cret-key-for-tests';
/** Absolute server paths, and what ffmpeg/ffprobe print about a broken file. */
const INTERNALS = /(^|[\s'"(=])\/(tmp|root|home|work|var|usr)\/|@ 0x[0-9a-f]+|moov atom|Invalid data found/i;

describe('publicReason: what a client reads about an error', () => {
  it.each([
    [new ProcessingError('ffmpeg failed with exit code 1: [mov,mp4 @ 0x55d0] moov atom not found\n/tmp/job-1/in.mp4: Invalid data'), 'ffmpeg failed with exit code 1'],
    [new ProcessingError('Not a video file (ffprobe could not read it): ffprobe failed with exit code 1: /tmp/x/a.mp4: Invalid data'), 'Not a video file (ffprobe could not read it): ffprobe failed with exit code 1'],
    [new ProcessingError('Cutting timed out after 300000 ms: frame= 12 fps=0.0'), 'Cutting timed out after 300000 ms'],
    [new ProcessingError("Cannot read the video file: ENOENT: no such file or directory, stat '/work/data/tmp/job-2/x.mp4'"), "Cannot read the video file: ENOENT: no such file or directory, stat '<file>'"],
    [new ProcessingError('Download failed: not found (HTTP 404) for https://example.com/a/b/c.mp4'), 'Download failed: not found (HTTP 404) for https://example.com/a/b/c.mp4'],
    [new ValidationError('exercises.1.end_time', 'must be after start_time'), 'exercises.1.end_time: must be after start_time'],
    [new UnavailableError('Database unavailable: connect ECONNREFUSED'), 'Database unavailable: connect ECONNREFUSED'],
    [new Error('relation "jobs" does not exist at /work/src/x.ts:1'), 'Internal error'],
    [{ errno: 28 }, 'Internal error'],
  ])('%s', (error, expected) => {
    expect(publicReason(error)).toBe(expected);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER  abc ', 'abc'],
    ['Basic abc', ''],
    ['Bearerabc', ''],
    [undefined, ''],
  ])('%s', (header, token) => expect(bearerToken(header)).toBe(token));
});

describe('a route that declares no key policy', () => {
  it('needs the key (forgetting fails closed) and is named by routePolicies', async () => {
    const app = Fastify();
    installAuth(app, KEY);
    app.get('/forgotten', async () => ({ ok: true }));
    app.get('/open', { config: { auth: 'public' } }, async () => ({ ok: true }));
    await app.ready();
    try {
      expect((await app.inject('/forgotten')).statusCode).toBe(401);
      expect((await app.inject({ url: '/forgotten', headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(200);
      expect((await app.inject('/open')).statusCode).toBe(200);
      expect((await app.inject('/nowhere')).statusCode).toBe(404);
      expect(routePolicies(app).filter((r) => r.method === 'GET')).toEqual([
        { method: 'GET', url: '/forgotten', auth: undefined },
        { method: 'GET', url: '/open', auth: 'public' },
      ]);
    } finally {
      await app.close();
    }
  });
});

describe.each(BACKENDS)('with API_KEY set on %s', (backend) => {
  let s: TestServer;
  let media: MediaServer;
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('fb-auth-');
    const full = path.join(dir, 'full.mp4');
    await makeTestVideo(full, { duration: 3, label: false });
    // A truncated MP4: its header says video, ffprobe cannot read it and says why on stderr.
    const bytes = fs.readFileSync(full);
    fs.writeFileSync(path.join(dir, 'broken.mp4'), bytes.subarray(0, Math.floor(bytes.length / 3)));
    media = await startMediaServer(dir);
    s = await startTestServer(backend, { API_KEY: KEY, JOB_MAX_ATTEMPTS: '1', SYNC_PROCESS_TIMEOUT_SECONDS: '120' });
    startWorker(s.ctx, 1);
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await media?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const auth = (value: string) => ({ headers: { authorization: value } });

  it('the job list (every submitted URL and error) needs the key, in any scheme case', async () => {
    const open = await s.request('/api/v1/jobs');
    expect(open.status).toBe(401);
    expect(open.body.detail).toMatch(/API key/);
    expect(open.body.request_id).toBeTruthy();
    expect(open.headers.get('www-authenticate')).toBe('Bearer');
    expect((await s.request('/api/v1/jobs/', auth('Bearer wrong'))).status).toBe(401);
    expect((await s.request('/api/v1/jobs?status=failed', auth(`Bearer ${KEY}`))).status).toBe(200);
    expect((await s.request('/api/v1/jobs', auth(`bearer ${KEY}`))).status).toBe(200);
    expect((await s.request('/api/v1/jobs', auth(`BEARER ${KEY}`))).status).toBe(200);
  });

  it('writes need the key in any scheme case; the library and docs stay public', async () => {
    const body = { name: 'Mine', description: null, exercise_ids: [] };
    expect((await s.request('/api/v1/routines', { method: 'POST', json: body })).status).toBe(401);
    expect((await s.request('/api/v1/routines', { method: 'POST', json: body, ...auth(`bearer ${KEY}`) })).status).toBe(200);
    for (const open of ['/api/v1/exercises', '/api/v1/routines', '/api/v1/stats', '/health', '/docs/json']) {
      expect(`${open} ${(await s.request(open)).status}`).toBe(`${open} 200`);
    }
    const search = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'squat' } });
    expect(search.status).toBe(200);
  });

  it('every registered route declares its key policy in its own config, and the policy is the documented one', async () => {
    const routes = routePolicies(s.app);
    const undeclared = routes.filter((r) => r.auth === undefined).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
    const needsKey = routes.filter((r) => r.auth === 'key' && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    expect(needsKey.sort()).toEqual(
      [
        'DELETE /api/v1/exercises/:id',
        'DELETE /api/v1/routines/:id',
        'GET /api/v1/jobs',
        'PATCH /api/v1/exercises/:id',
        'PATCH /api/v1/routines/:id',
        'POST /api/v1/jobs/:job_id/cancel',
        'POST /api/v1/process',
        'POST /api/v1/reindex',
        'POST /api/v1/routines',
        'POST /api/v1/stories/generate',
        'PUT /api/v1/routines/:id',
        'POST /api/v1/routines/:id/entries',
        'PATCH /api/v1/routines/:id/entries/:entry_id',
        'DELETE /api/v1/routines/:id/entries/:entry_id',
        'PUT /api/v1/routines/:id/entries/order',
        'POST /api/v1/workouts',
        'DELETE /api/v1/workouts/:id',
        'POST /api/v1/workouts/:id/exercises',
        'PATCH /api/v1/workouts/:id/exercises/:workout_exercise_id',
        'PUT /api/v1/workouts/:id/exercises/order',
        'PUT /api/v1/workouts/:id/sets/:set_id',
        'DELETE /api/v1/workouts/:id/sets/:set_id',
        'POST /api/v1/workouts/:id/finish',
      ].sort(),
    );
    // Third-party routes (the docs) and ours beyond /api/v1 were all seen.
    for (const url of ['/docs/json', '/storage/clips/:file', '/metrics', '/health']) expect(routes.map((r) => r.url)).toContain(url);
  });

  it('a failed job tells the client a short reason; stderr and server paths stay in the log', async () => {
    const sync = await s.request('/api/v1/process', { method: 'POST', json: { url: media.url('broken.mp4') }, ...auth(`Bearer ${KEY}`) });
    // An unreadable file is the submitter's input: 422, with ffprobe's words left out.
    expect(sync.status).toBe(422);
    expect(sync.body.detail).toMatch(/^url: not a video/);
    expect(sync.body.detail).not.toMatch(INTERNALS);
    expect(sync.body.detail.length).toBeLessThan(300);

    const jobs = await s.request('/api/v1/jobs?status=failed', auth(`Bearer ${KEY}`));
    expect(jobs.body.length).toBe(1);
    const job = jobs.body[0];
    expect(job.error).toMatch(/not a video|ffprobe/i);
    expect(job.error).not.toMatch(INTERNALS);
    // A single job's status is public: its id is the submitter's capability (documented).
    const status = await s.request(`/api/v1/job-status/${job.job_id}`);
    expect(status.status).toBe(200);
    expect(status.body.error).toBe(job.error);
  }, 120_000);
});
