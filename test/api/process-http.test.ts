import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/index.js';
import { loadConfig } from '../../src/config.js';
import { openPglite } from '../../src/database/pglite.js';
import { getJobStatus } from '../../src/jobs/index.js';
import { chatCompletion, startFakeOpenAI, type FakeOpenAI } from '../helpers/openai-server.js';
import { makeTestVideo } from '../helpers/videos.js';

/**
 * The server as `fitness-builder serve` runs it (embedded database in DATA_DIR, in-process
 * worker), processing videos over HTTP in both modes, and shutting down gracefully mid-job.
 */
describe('processing over HTTP with the embedded default', () => {
  let dataDir: string;
  let video: Buffer;
  let media: http.Server;
  let mediaUrl: string;
  let ai: FakeOpenAI;
  let server: RunningServer;
  /** Requests to /slow.mp4 hang until released, to catch a job mid-download. */
  let releaseSlow: () => void = () => {};

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-http-'));
    const file = path.join(dataDir, 'source.mp4');
    await makeTestVideo(file, { duration: 8, scenes: [4], audio: true, label: false });
    video = fs.readFileSync(file);
    media = http.createServer((req, res) => {
      const send = () => res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length }).end(video);
      if (req.url?.startsWith('/slow')) {
        releaseSlow = send;
        req.on('close', () => (releaseSlow = () => {}));
      } else send();
    });
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    ai = await startFakeOpenAI({
      '/v1/chat/completions': () => ({
        json: chatCompletion(
          JSON.stringify({
            exercises: [
              { name: 'Squat', start_time: 0, end_time: 4, fitness_level: 2, intensity: 4, confidence: 0.9 },
              { name: 'Lunge', start_time: 4, end_time: 8, fitness_level: 3, intensity: 5, confidence: 0.9 },
            ],
          }),
        ),
      }),
    });
    server = await startServer(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: '0',
        ALLOW_PRIVATE_URLS: 'true',
        OPENAI_BASE_URL: ai.baseUrl,
        OPENAI_API_KEY: 'k',
        ANALYSIS_MODEL: 'fake',
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await server?.stop(0);
    await ai?.close();
    media?.closeAllConnections();
    await new Promise((r) => media?.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = async (body: unknown) => {
    const res = await fetch(`${server.url}/api/v1/process`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('synchronous mode waits and returns the clips in the contract shape', async () => {
    const res = await post({ url: `${mediaUrl}/sync.mp4` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, total_clips: 2, temp_dir: null });
    expect(res.body.processing_time).toBeGreaterThan(0);
    expect(res.body.processed_clips.map((c: { exercise_name: string }) => c.exercise_name)).toEqual(['Squat', 'Lunge']);
    const clip = res.body.processed_clips[0];
    expect(Object.keys(clip)).toEqual(['exercise_id', 'exercise_name', 'video_path', 'segments_count', 'total_duration', 'segments']);
    const stream = await fetch(`${server.url}/${clip.video_path}`, { headers: { range: 'bytes=0-99' } });
    expect(stream.status).toBe(206);
    expect(stream.headers.get('content-type')).toBe('video/mp4');
    await stream.arrayBuffer();
  });

  it('background mode returns a job id whose status shows progress and ends with a result object', async () => {
    const res = await post({ url: `${mediaUrl}/background.mp4`, background: true });
    expect(res.body).toMatchObject({ success: true, processed_clips: [], total_clips: 0, processing_time: 0, temp_dir: null });
    const id = res.body.job_id as string;
    let status: any;
    for (let i = 0; i < 300; i++) {
      status = await (await fetch(`${server.url}/api/v1/job-status/${id}`)).json();
      if (status.status === 'done' || status.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status.status).toBe('done');
    expect(status.result).toMatchObject({ total_clips: 2, success: true });
    expect(status.progress).toEqual({ step: 'done', percent: 100 });
  });

  it('graceful shutdown hands a running job back to the queue', async () => {
    const res = await post({ url: `${mediaUrl}/slow.mp4`, background: true });
    const id = res.body.job_id as string;
    let seen: any = null;
    for (let i = 0; i < 200; i++) {
      seen = await (await fetch(`${server.url}/api/v1/job-status/${id}`)).json();
      if (seen.progress.step === 'downloading') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The precondition: the job really runs when the shutdown comes (else "pending" proves nothing).
    expect(seen).toMatchObject({ status: 'in_progress', attempts: 1, progress: { step: 'downloading' } });
    await server.stop(200);
    const db = await openPglite({ dataDir: path.join(dataDir, 'db') });
    try {
      const job = await getJobStatus(db, id);
      expect(job).toMatchObject({ status: 'pending', attempts: 0 });
      expect(fs.readdirSync(path.join(dataDir, 'tmp'))).toEqual([]);
    } finally {
      await db.close();
    }
    releaseSlow();
  });
});
