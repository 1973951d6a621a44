import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/services/worker.js';
import { getExerciseById, getExercisesByUrl } from '../../src/database/index.js';
import { BadRequestError } from '../../src/errors.js';
import { getJobStatus, type Job } from '../../src/jobs/index.js';
import { deleteExercise } from '../../src/services/library.js';
import { waitForJob } from '../../src/services/jobs.js';
import { processUrl, submitUrl } from '../../src/services/processing.js';
import { findExercises } from '../../src/services/search.js';
import { getCollectionInfo } from '../../src/services/vectors.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { BACKENDS } from '../helpers/db.js';
import { startMediaServer, type MediaServer } from '../helpers/media-server.js';
import { chatCompletion, startFakeOpenAI, type FakeOpenAI } from '../helpers/openai-server.js';
import { ffprobeJson, makeNonVideoFile, makeTempDir, makeTestVideo } from '../helpers/videos.js';

/** Exercises the fake AI "sees" in the 20 s test video (scene changes every 4 s). */
const AI_EXERCISES = [
  { name: 'Air Squat', start_time: 0, end_time: 4 },
  { name: 'Push-up', start_time: 4, end_time: 8.5 },
  { name: 'Glute Bridge', start_time: 8.5, end_time: 12 },
  { name: 'Plank', start_time: 12, end_time: 16 },
  { name: 'Jumping Jacks', start_time: 16, end_time: 20 },
].map((e) => ({
  ...e,
  how_to: `Do the ${e.name.toLowerCase()} with control.`,
  benefits: null,
  counteracts: null,
  fitness_level: 3,
  intensity: 5,
  rounds_reps: '3x10',
  category: 'strength',
  primary_muscles: e.name === 'Push-up' ? ['chest'] : ['quadriceps'],
  secondary_muscles: [],
  equipment: 'body only',
  force: null,
  mechanic: null,
  confidence: 0.9,
}));

async function durationOf(file: string): Promise<number> {
  return Number((await ffprobeJson(file)).format.duration);
}

describe.each(BACKENDS)('processing a URL end to end on %s', (backend) => {
  let media: MediaServer;
  let ai: FakeOpenAI;
  let mediaDir: string;
  let t: TestContext;
  let aiMode: 'good' | 'garbage' = 'good';

  beforeAll(async () => {
    mediaDir = await makeTempDir('fb-e2e-media-');
    await makeTestVideo(path.join(mediaDir, 'workout.mp4'), { duration: 20, scenes: [4, 8, 12, 16], audio: true, label: false });
    await makeTestVideo(path.join(mediaDir, 'short.mp4'), { duration: 6, scenes: [3], audio: false, label: false });
    fs.copyFileSync(path.join(mediaDir, 'workout.mp4'), path.join(mediaDir, 'garbage-ai.mp4'));
    fs.copyFileSync(path.join(mediaDir, 'short.mp4'), path.join(mediaDir, 'store-fault.mp4'));
    await makeNonVideoFile(path.join(mediaDir, 'not-a-video.mp4'), 'text');
    media = await startMediaServer(mediaDir);
    ai = await startFakeOpenAI({
      '/v1/chat/completions': (req) => {
        const body = req.body as { messages: { content: unknown }[] };
        const text = JSON.stringify(body.messages);
        if (aiMode === 'garbage' || text.includes('garbage-ai')) return { json: chatCompletion('this is not json at all') };
        return { json: chatCompletion(JSON.stringify({ exercises: AI_EXERCISES })) };
      },
    });
    t = await createTestContext(backend, { OPENAI_BASE_URL: ai.baseUrl, OPENAI_API_KEY: 'test', ANALYSIS_MODEL: 'fake-vision', JOB_LEASE_SECONDS: '30' });
    startWorker(t.ctx, 1);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await media?.close();
    await ai?.close();
    fs.rmSync(mediaDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    aiMode = 'good';
  });

  /**
   * The job is marked done inside the store transaction and its temp folder goes right after, in
   * the handler: once the worker holds no job, whatever is left stays left.
   */
  const tempLeft = async () => {
    for (let i = 0; i < 600 && t.ctx.worker!.activeJobs.length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(t.ctx.worker!.activeJobs).toEqual([]);
    return fs.existsSync(t.config.tempDir) ? fs.readdirSync(t.config.tempDir) : [];
  };
  const clipFiles = () => fs.readdirSync(t.config.clipsDir).filter((f) => !f.startsWith('.'));

  it('cuts one clip per exercise within 0.1 s of the plan, stores rows and vectors, and is searchable', async () => {
    const url = media.url('workout.mp4');
    const submitted = await processUrl(t.ctx, { url, background: true });
    expect(submitted).toMatchObject({ success: true, processed_clips: [], total_clips: 0, processing_time: 0, temp_dir: null });
    const steps = new Set<string>();
    let job: Job;
    for (;;) {
      job = (await getJobStatus(t.ctx.db, submitted.job_id!))!;
      if (job.progress.step) steps.add(job.progress.step);
      if (job.status === 'done' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    expect(steps.size).toBeGreaterThan(1);
    expect(job.result).toMatchObject({ success: true, total_clips: 5, analyzer: 'ai' });
    expect(typeof job.result).toBe('object');

    const rows = await getExercisesByUrl(t.ctx.db, url);
    expect(rows.map((r) => r.exercise_name)).toEqual(AI_EXERCISES.map((e) => e.name));
    for (const [i, row] of rows.entries()) {
      const planned = AI_EXERCISES[i]!;
      expect(row.start_time).toBeCloseTo(planned.start_time, 3);
      expect(row.end_time).toBeCloseTo(planned.end_time, 3);
      const file = path.join(t.config.clipsDir, path.basename(row.video_path!));
      expect(Math.abs((await durationOf(file)) - (planned.end_time - planned.start_time))).toBeLessThan(0.1);
      expect(fs.existsSync(path.join(t.config.clipsDir, path.basename(row.thumbnail_path!)))).toBe(true);
      expect(path.basename(row.video_path!)).toBe(`${row.id}.mp4`);
    }
    expect(await tempLeft()).toEqual([]);

    const found = await findExercises(t.ctx, 'glute bridge', { limit: 3 });
    expect(found.items[0]!.exercise.exercise_name).toBe('Glute Bridge');
    if (backend === 'pglite') expect((await getCollectionInfo(t.ctx)).vectors_count).toBe(5);

    // delete cascades through row, vector, clip and thumbnail
    const victim = rows[1]!;
    await deleteExercise(t.ctx, victim.id);
    expect(await getExerciseById(t.ctx.db, victim.id)).toBeNull();
    expect(clipFiles()).not.toContain(`${victim.id}.mp4`);
    expect(clipFiles()).not.toContain(`${victim.id}.jpg`);
    if (backend === 'pglite') expect((await getCollectionInfo(t.ctx)).vectors_count).toBe(4);
  });

  it('answers an already processed URL from the library, and a forced re-run replaces its exercises', async () => {
    const url = media.url('short.mp4');
    const first = await processUrl(t.ctx, { url, exercises: [{ name: 'Lunge', start_time: 0.5, end_time: 2.5 }] });
    expect(first.total_clips).toBe(1);
    expect(first.processed_clips[0]).toMatchObject({ exercise_name: 'Lunge', segments_count: 1, segments: [{ start_time: 0.5, end_time: 2.5 }] });
    expect(first.processed_clips[0]!.total_duration).toBeCloseTo(2, 3);
    const again = await processUrl(t.ctx, { url });
    expect(again).toMatchObject({ existing: true, total_clips: 1 });
    expect(again.processed_clips[0]!.exercise_id).toBe(first.processed_clips[0]!.exercise_id);
    const oldId = first.processed_clips[0]!.exercise_id;

    const forced = await processUrl(t.ctx, { url, force: true, exercises: [{ name: 'Reverse Lunge', start_time: 1, end_time: 5 }] });
    expect(forced.processed_clips.map((c) => c.exercise_name)).toEqual(['Reverse Lunge']);
    expect(await getExerciseById(t.ctx.db, oldId)).toBeNull();
    expect(clipFiles()).not.toContain(`${oldId}.mp4`);
    expect(clipFiles()).toContain(`${forced.processed_clips[0]!.exercise_id}.mp4`);
  });

  it('a forced re-run that fails keeps the old exercises', async () => {
    const url = media.url('short.mp4');
    // Stands alone: the URL is processed here unless an earlier test already did.
    if ((await getExercisesByUrl(t.ctx.db, url)).length === 0) {
      await processUrl(t.ctx, { url, exercises: [{ name: 'Lunge', start_time: 0.5, end_time: 2.5 }] });
    }
    const before = await getExercisesByUrl(t.ctx.db, url);
    expect(before.length).toBeGreaterThan(0);
    await expect(processUrl(t.ctx, { url, force: true, exercises: [{ name: 'Too late', start_time: 50, end_time: 60 }] })).rejects.toThrow(
      /^exercises\.0: "Too late" starts at 50 s, at or after the end of the video/,
    );
    expect((await getExercisesByUrl(t.ctx.db, url)).map((e) => e.id)).toEqual(before.map((e) => e.id));
    expect(await tempLeft()).toEqual([]);
  });

  it('fails clearly and leaves nothing behind when the AI answers garbage twice', async () => {
    const before = clipFiles().length;
    const url = media.url('garbage-ai.mp4');
    await expect(processUrl(t.ctx, { url })).rejects.toThrow(/Processing failed: AI analysis returned invalid output/);
    expect(await getExercisesByUrl(t.ctx.db, url)).toEqual([]);
    expect(clipFiles().length).toBe(before);
    expect(await tempLeft()).toEqual([]);
  });

  it('fails a non-video file and a file over the size limit at once, leaving nothing behind', async () => {
    const { job } = await submitUrl(t.ctx, { url: media.url('not-a-video.mp4') });
    const failed = await waitForJob(t.ctx, job.id, 30_000);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/not a video/i);
    expect(await tempLeft()).toEqual([]);

    const small = await createTestContext(backend, { MAX_DOWNLOAD_BYTES: '2048' });
    try {
      startWorker(small.ctx, 1);
      const big = await submitUrl(small.ctx, { url: media.url('workout.mp4') });
      const done = await waitForJob(small.ctx, big.job.id, 30_000);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/too large|limit/i);
      expect(fs.readdirSync(small.config.tempDir)).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('refuses URLs that resolve to private addresses when not allowed', async () => {
    const strict = await createTestContext(backend, { ALLOW_PRIVATE_URLS: 'false' });
    try {
      await expect(submitUrl(strict.ctx, { url: media.url('workout.mp4') })).rejects.toBeInstanceOf(BadRequestError);
    } finally {
      await strict.close();
    }
  });

  it('rolls back everything when the database fails during the store step, then succeeds on retry', async () => {
    // A real database fault inside the store transaction: a trigger that raises a
    // connection-class error on the first insert, then removes itself.
    await t.ctx.db.exec(`
      CREATE TABLE fault_once (fired boolean);
      CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM fault_once) THEN
          RAISE EXCEPTION 'connection lost during store' USING ERRCODE = '08006';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_once BEFORE INSERT ON exercises FOR EACH ROW EXECUTE FUNCTION fail_once();`);
    const url = media.url('store-fault.mp4');
    const before = clipFiles().length;
    const { job } = await submitUrl(t.ctx, { url, exercises: [{ name: 'Step-up', start_time: 0, end_time: 3 }] });
    const firstFailure = await (async () => {
      for (;;) {
        const j = (await getJobStatus(t.ctx.db, job.id))!;
        if (j.error || j.status !== 'pending' && j.status !== 'in_progress') return j;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // The job's error is what its submitter reads: the database's own words only when they are
    // ours (a server connection fault), else a generic reason; the log has the detail.
    expect(firstFailure.error).toMatch(backend === 'postgres' ? /^Database unavailable: connection lost during store$/ : /^Internal error while processing/);
    expect(await getExercisesByUrl(t.ctx.db, url)).toEqual([]);
    expect(clipFiles().length).toBe(before);
    await t.ctx.db.exec(`INSERT INTO fault_once VALUES (true)`);
    await t.ctx.db.query(`UPDATE jobs SET run_after = now() WHERE id = $1`, [job.id]);
    t.ctx.worker!.notify();
    const done = await waitForJob(t.ctx, job.id, 30_000);
    await t.ctx.db.exec('DROP TRIGGER fail_once ON exercises; DROP FUNCTION fail_once(); DROP TABLE fault_once;');
    expect(done.status).toBe('done');
    expect(done.attempts).toBe(2);
    expect((await getExercisesByUrl(t.ctx.db, url)).map((e) => e.exercise_name)).toEqual(['Step-up']);
    expect(clipFiles().length).toBe(before + 2);
    expect(await tempLeft()).toEqual([]);
  });
});
