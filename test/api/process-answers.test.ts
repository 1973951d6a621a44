import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/services/worker.js';
import { BACKENDS } from '../helpers/db.js';
import { startMediaServer, type MediaServer } from '../helpers/media-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeTempDir, makeTestVideo } from '../helpers/videos.js';

/**
 * POST /process answers that cannot be misread: mistakes in the request are refused before
 * anything is queued, input that would be ignored is refused, a job that fails says why in
 * words naming the problem, and a synchronous call that stops waiting says the job still runs.
 */
describe.each(BACKENDS)('what POST /process answers on %s', (backend) => {
  let dir: string;
  let media: MediaServer;
  beforeAll(async () => {
    dir = await makeTempDir('fb-answers-');
    await makeTestVideo(path.join(dir, 'three.mp4'), { duration: 3, label: false });
    fs.copyFileSync(path.join(dir, 'three.mp4'), path.join(dir, 'again.mp4'));
    media = await startMediaServer(dir);
  }, 60_000);
  afterAll(async () => {
    await media?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('with a worker', () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer(backend, { JOB_MAX_ATTEMPTS: '1' });
      startWorker(s.ctx, 1);
    }, 120_000);
    afterAll(async () => {
      await s?.close();
    });

    const seg = (name: string, start_time: number, end_time: number) => ({ name, start_time, end_time });

    it.each([
      ['start after end', [seg('Squat', 2, 1)], 'exercises.0.end_time'],
      ['start equal to end', [seg('Squat', 0, 1), seg('Lunge', 1, 1)], 'exercises.1.end_time'],
      ['a negative time', [seg('Squat', -1, 1)], 'exercises.0.start_time'],
      ['a duplicate name (case-folded)', [seg('Squat', 0, 1), seg('squat', 1, 2)], 'exercises.1.name'],
      ['too many segments', Array.from({ length: 101 }, (_, i) => seg(`Move ${i}`, i, i + 1)), 'exercises'],
    ])('refuses %s before queueing, naming the field', async (_label, exercises, field) => {
      const res = await s.request('/api/v1/process', { method: 'POST', json: { url: media.url('three.mp4'), exercises } });
      expect(res.status).toBe(422);
      expect(res.body.detail.startsWith(`${field}: `), res.body.detail).toBe(true);
      expect((await s.request('/api/v1/jobs')).body).toEqual([]);
    });

    it('a segment past the end of the video fails the job with a message naming the segment', async () => {
      const res = await s.request('/api/v1/process', {
        method: 'POST',
        json: { url: media.url('three.mp4'), exercises: [seg('Squat', 0, 2), seg('Plank', 50, 60)] },
      });
      // The submitter's mistake, found only once the video was probed: a 422 naming the segment, not a 500.
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/^exercises\.1: "Plank" starts at 50 s, at or after the end of the video \(3(\.\d+)? s\)$/);
      const [job] = (await s.request('/api/v1/jobs?status=failed')).body;
      expect(job.error).toMatch(/^exercises\.1: "Plank"/);
      expect(job.attempts).toBe(1);
      expect((await s.request(`/api/v1/exercises?url=${encodeURIComponent(media.url('three.mp4'))}`)).body).toEqual([]);
    }, 120_000);

    it('explicit exercises for a URL already processed are a 409 pointing at force, never ignored', async () => {
      const url = media.url('again.mp4');
      const first = await s.request('/api/v1/process', { method: 'POST', json: { url, exercises: [seg('Squat', 0, 1.5)] } });
      expect(first.status).toBe(200);
      expect(first.body.processed_clips.map((c: { exercise_name: string }) => c.exercise_name)).toEqual(['Squat']);

      const again = await s.request('/api/v1/process', { method: 'POST', json: { url, exercises: [seg('Lunge', 1, 2.5)] } });
      expect(again.status).toBe(409);
      expect(again.body.detail).toMatch(/^exercises: .*"force": true/);

      const plain = await s.request('/api/v1/process', { method: 'POST', json: { url } });
      expect(plain.status).toBe(200);
      expect(plain.body.existing).toBe(true);
      expect(plain.body.processed_clips[0].exercise_name).toBe('Squat');

      const forced = await s.request('/api/v1/process', { method: 'POST', json: { url, force: true, exercises: [seg('Lunge', 1, 2.5)] } });
      expect(forced.status).toBe(200);
      expect(forced.body.processed_clips.map((c: { exercise_name: string }) => c.exercise_name)).toEqual(['Lunge']);
    }, 120_000);
  });

  describe('a synchronous call that stops waiting', () => {
    let s: TestServer;
    beforeAll(async () => {
      // No worker: the job stays queued, so the wait can only end by timeout or shutdown.
      s = await startTestServer(backend, { SYNC_PROCESS_TIMEOUT_SECONDS: '1' });
    }, 120_000);
    afterAll(async () => {
      await s?.close();
    });

    it('answers 202 with the job to poll after the timeout, never success with no clips', async () => {
      const res = await s.request('/api/v1/process', { method: 'POST', json: { url: media.url('three.mp4') } });
      expect(res.status).toBe(202);
      expect(res.body.success).toBe(false);
      expect(res.body.status).toBe('pending');
      expect(res.body.message).toContain(`/api/v1/job-status/${res.body.job_id}`);
      expect((await s.request(`/api/v1/job-status/${res.body.job_id}`)).body.status).toBe('pending');
    });

    it('answers 202 as well when the server shuts down during the wait', async () => {
      s.ctx.config.jobs.syncTimeoutSeconds = 3600;
      const pending = s.request('/api/v1/process', { method: 'POST', json: { url: media.url('again.mp4') } });
      await new Promise((r) => setTimeout(r, 300));
      s.ctx.closing = true;
      const res = await pending;
      expect(res.status).toBe(202);
      expect(res.body.success).toBe(false);
      expect(res.body.job_id).toBeTruthy();
    });

    it('the OpenAPI document describes the 202 and the 409', async () => {
      const doc = (await s.request('/docs/json')).body;
      const responses = doc.paths['/api/v1/process'].post.responses;
      expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '202', '409', '422']));
    });
  });
});
