import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/services/worker.js';
import { BACKENDS } from '../helpers/db.js';
import { startMediaServer, type MediaServer } from '../helpers/media-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeTempDir, makeTestVideo } from '../helpers/videos.js';

/**
 * Mistakes in what a user sends (a URL whose origin has nothing there, a file that is no
 * video, a segment too short to keep, a prompt with nothing in it) are answered 4xx naming
 * the field, and a job they fail says why; never a 5xx that reads as the server's fault.
 */
/** Absolute server paths, and what ffprobe prints about a broken file. */
const INTERNALS = /(^|[\s'"(=])\/(tmp|root|home|work|var|usr)\/|@ 0x[0-9a-f]+|Invalid data found/i;

describe.each(BACKENDS)('user mistakes on %s', (backend) => {
  let dir: string;
  let media: MediaServer;
  let s: TestServer;
  beforeAll(async () => {
    dir = await makeTempDir('fb-mistakes-');
    await makeTestVideo(path.join(dir, 'three.mp4'), { duration: 3, label: false });
    fs.writeFileSync(path.join(dir, 'empty.mp4'), '');
    // An MP4 signature, then noise: it passes the sniff, ffprobe cannot read it.
    const header = Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.from('isomiso2')]);
    fs.writeFileSync(path.join(dir, 'junk.mp4'), Buffer.concat([header, crypto.randomBytes(64 * 1024)]));
    media = await startMediaServer(dir);
    s = await startTestServer(backend, { JOB_MAX_ATTEMPTS: '1', MIN_CLIP_SECONDS: '1' });
    startWorker(s.ctx, 1);
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await media?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const processing = (json: unknown) => s.request('/api/v1/process', { method: 'POST', json });

  it.each([
    ['an origin answering 404', 'missing.mp4', /^url: download failed: video not found \(HTTP 404\)$/],
    ['an empty file', 'empty.mp4', /^url: the downloaded file is empty$/],
    ['junk bytes behind an ftyp header', 'junk.mp4', /^url: not a video file \(ffprobe could not read it\)$/],
  ])('%s: 422 naming url, and a failed job saying why', async (_label, file, reason) => {
    const res = await processing({ url: media.url(file) });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.detail).toMatch(reason);
    expect(res.body.detail).not.toMatch(INTERNALS);
    const jobs = (await s.request('/api/v1/jobs?status=failed')).body as { url: string; error: string; attempts: number }[];
    const job = jobs.find((j) => j.url === media.url(file))!;
    expect(job.error).toMatch(reason);
    expect(job.attempts).toBe(1);
  }, 120_000);

  it('a segment shorter than MIN_CLIP_SECONDS is refused before queueing, naming it', async () => {
    const before = (await s.request('/api/v1/jobs')).body.length;
    const res = await processing({
      url: media.url('three.mp4'),
      exercises: [
        { name: 'Squat', start_time: 0, end_time: 1.5 },
        { name: 'Hop', start_time: 2, end_time: 2.5 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toBe('exercises.1: "Hop" is 0.5 s long, shorter than MIN_CLIP_SECONDS (1 s)');
    expect((await s.request('/api/v1/jobs')).body.length).toBe(before);
  });

  it('stories for a prompt with nothing to derive from: 422 naming user_prompt', async () => {
    const res = await s.request('/api/v1/stories/generate', { method: 'POST', json: { user_prompt: 'hi' } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/^user_prompt: holds nothing to derive stories from/);
  });
});
