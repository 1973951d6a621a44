import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exercise } from '../../src/database/types.js';
import { createJob } from '../../src/jobs/index.js';
import { addExercises } from '../../src/services/library.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CONTRACT_EXERCISE_KEYS = [
  'id', 'exercise_name', 'video_path', 'start_time', 'end_time', 'how_to', 'benefits', 'counteracts',
  'fitness_level', 'rounds_reps', 'intensity', 'qdrant_id', 'created_at',
];
const MISSING = '0b7f5a3e-2f41-4c36-9a51-6d1b8e2c9f00';

/** A clip is named after its exercise's id: only then is it the exercise's to delete. */
const SQUAT_ID = '5b0c6f2e-8d1a-4c3e-9f7a-2b4d6e8f0a1c';
const CLIP = `${SQUAT_ID}.mp4`;

describe.each(BACKENDS)('the /api/v1 contract on %s', (backend) => {
  let s: TestServer;
  let squat: Exercise;
  let press: Exercise;
  let stretch: Exercise;

  beforeAll(async () => {
    s = await startTestServer(backend);
    fs.writeFileSync(path.join(s.config.clipsDir, CLIP), Buffer.alloc(1000, 7));
    [squat, press, stretch] = await addExercises(s.ctx, [
      {
        url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        id: SQUAT_ID,
        exercise_name: 'Goblet Squat',
        video_path: `storage/clips/${CLIP}`,
        start_time: 1,
        end_time: 6.5,
        how_to: 'Hold a kettlebell at the chest, sit down between the heels, stand up.',
        fitness_level: 3,
        intensity: 5,
        category: 'strength',
        primary_muscles: ['quadriceps'],
        secondary_muscles: ['glutes'],
        equipment: 'kettlebells',
      },
      {
        url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        exercise_name: 'Dumbbell Bench Press',
        start_time: 7,
        end_time: 12,
        how_to: 'Lie on a bench and press two dumbbells over the chest.',
        fitness_level: 4,
        intensity: 6,
        category: 'strength',
        primary_muscles: ['chest'],
        secondary_muscles: ['triceps', 'shoulders'],
        equipment: 'dumbbell',
      },
      {
        url: 'https://www.instagram.com/p/CxYz123abc/?img_index=2',
        exercise_name: 'Kneeling Hip Flexor Stretch',
        how_to: 'Kneel on one knee and push the hips forward until the front of the hip stretches.',
        fitness_level: 1,
        intensity: 2,
        category: 'stretching',
        primary_muscles: ['quadriceps'],
        equipment: 'body only',
      },
    ]) as [Exercise, Exercise, Exercise];
  });
  afterAll(async () => {
    await s?.close();
  });

  it('GET / and /health report live checks', async () => {
    expect((await s.request('/')).body).toEqual({ message: expect.any(String), status: 'healthy' });
    const health = await s.request('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      // Both databases have pgvector (the server's lives in public, test/global-setup.ts).
      status: 'healthy',
      version: expect.any(String),
      services: { database: 'connected', qdrant: 'connected', ai_services: 'unconfigured', disk: 'ok', jobs: 'connected', ffmpeg: 'available' },
    });
  });

  it('GET /api/v1/health/database gives the real count; /health/vector reports the index', async () => {
    expect((await s.request('/api/v1/health/database')).body).toEqual({ status: 'healthy', database: 'connected', exercises_count: 3 });
    const vector = await s.request('/api/v1/health/vector');
    expect(vector.status).toBe(200);
    expect(vector.body.collection_info).toMatchObject({ vectors_count: 3, distance: 'Cosine', vector_size: expect.any(Number) });
  });

  it('GET /api/v1/exercises/{id} answers the contract shape; non-UUID and unknown ids are 404', async () => {
    const got = await s.request(`/api/v1/exercises/${squat.id}`);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body).slice(0, 13)).toEqual(CONTRACT_EXERCISE_KEYS);
    expect(got.body).toMatchObject({ exercise_name: 'Goblet Squat', start_time: 1, end_time: 6.5, fitness_level: 3, intensity: 5, video_path: `storage/clips/${CLIP}` });
    expect(got.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (const id of ['not-a-uuid', MISSING, "1'; DROP TABLE exercises; --"]) {
      const missing = await s.request(`/api/v1/exercises/${encodeURIComponent(id)}`);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ detail: 'Exercise not found', request_id: expect.any(String) });
    }
  });

  it('GET /api/v1/exercises lists newest first, by source URL (any variant), and filters', async () => {
    const all = await s.request('/api/v1/exercises');
    expect(all.body.map((e: Exercise) => e.id)).toEqual(expect.arrayContaining([squat.id, press.id, stretch.id]));
    const byUrl = await s.request(`/api/v1/exercises?url=${encodeURIComponent('https://youtu.be/dQw4w9WgXcQ?si=abc')}`);
    expect(byUrl.body.map((e: Exercise) => e.exercise_name)).toEqual(['Goblet Squat', 'Dumbbell Bench Press']);
    const filtered = await s.request('/api/v1/exercises?category=stretching&max_intensity=3');
    expect(filtered.body.map((e: Exercise) => e.id)).toEqual([stretch.id]);
    expect((await s.request('/api/v1/exercises?limit=0')).status).toBe(422);
    expect((await s.request('/api/v1/exercises?min_level=11')).status).toBe(422);
  });

  it('POST /api/v1/exercises/bulk keeps input order, skips unknown and malformed ids, refuses oversized lists', async () => {
    const got = await s.request('/api/v1/exercises/bulk', { method: 'POST', json: { exercise_ids: [stretch.id, 'junk', MISSING, squat.id] } });
    expect(got.status).toBe(200);
    expect(got.body.map((e: Exercise) => e.id)).toEqual([stretch.id, squat.id]);
    const tooMany = await s.request('/api/v1/exercises/bulk', { method: 'POST', json: { exercise_ids: Array(501).fill(MISSING) } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.detail).toMatch(/exercise_ids/);
    expect((await s.request('/api/v1/exercises/bulk', { method: 'POST', json: {} })).status).toBe(422);
  });

  it('routines: create, list, get, update, delete, with 422s naming the field', async () => {
    const created = await s.request('/api/v1/routines', {
      method: 'POST',
      json: { name: 'Desk worker', description: null, exercise_ids: [stretch.id, squat.id] },
    });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).slice(0, 5)).toEqual(['routine_id', 'name', 'description', 'exercise_ids', 'created_at']);
    const id = created.body.routine_id;
    expect((await s.request(`/api/v1/routines/${id}`)).body.exercise_ids).toEqual([stretch.id, squat.id]);
    expect((await s.request('/api/v1/routines?limit=50')).body[0].routine_id).toBe(id);
    for (const limit of ['0', '101', 'x']) expect((await s.request(`/api/v1/routines?limit=${limit}`)).status).toBe(422);
    const unknown = await s.request('/api/v1/routines', { method: 'POST', json: { name: 'x', exercise_ids: [MISSING] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain(MISSING);
    expect((await s.request('/api/v1/routines', { method: 'POST', json: { name: 'x'.repeat(201), exercise_ids: [] } })).body.detail).toMatch(/^name/);
    const reordered = await s.request(`/api/v1/routines/${id}`, { method: 'PATCH', json: { exercise_ids: [squat.id, stretch.id] } });
    expect(reordered.body.exercise_ids).toEqual([squat.id, stretch.id]);
    expect((await s.request(`/api/v1/routines/${id}`, { method: 'DELETE' })).body).toEqual({ message: 'Routine deleted successfully' });
    expect((await s.request(`/api/v1/routines/${id}`)).body).toEqual({ detail: 'Routine not found', request_id: expect.any(String) });
    expect((await s.request('/api/v1/routines/nope')).status).toBe(404);
    expect((await s.request('/api/v1/routines/nope', { method: 'DELETE' })).status).toBe(404);
  });

  it('semantic search returns ids best first and validates its input', async () => {
    const found = await s.request('/api/v1/exercises/semantic-search-ids', { method: 'POST', json: { query: 'stretch for tight hip flexors', limit: 2 } });
    expect(found.status).toBe(200);
    expect(found.body.exercise_ids[0]).toBe(stretch.id);
    expect(found.body.total_found).toBe(found.body.exercise_ids.length);
    for (const body of [{ query: '' }, { query: 'x', limit: 0 }, { query: 'x', limit: 101 }, { limit: 3 }, { query: 'x'.repeat(1001) }]) {
      expect((await s.request('/api/v1/exercises/semantic-search-ids', { method: 'POST', json: body })).status).toBe(422);
    }
  });

  it('semantic search ids accept the same filters as /search and refuse unknown keys', async () => {
    const ask = (json: object) => s.request('/api/v1/exercises/semantic-search-ids', { method: 'POST', json });
    const open = await ask({ query: 'leg strength with a kettlebell or dumbbells', limit: 10 });
    expect(open.body.exercise_ids).toEqual(expect.arrayContaining([squat.id, press.id]));
    const filtered = await ask({ query: 'leg strength with a kettlebell or dumbbells', limit: 10, filters: { equipment: ['dumbbell'] } });
    expect(filtered.status).toBe(200);
    expect(filtered.body.exercise_ids).toEqual([press.id]);
    const byCategory = await ask({ query: 'hips', filters: { category: ['stretching'], fitness_level: { max: 2 } } });
    expect(byCategory.body.exercise_ids).toEqual([stretch.id]);
    const unknownFilter = await ask({ query: 'hips', filters: { colour: 'red' } });
    expect(unknownFilter.status).toBe(422);
    expect(unknownFilter.body.detail).toMatch(/filters/);
    const unknownKey = await ask({ query: 'hips', filter: { category: ['stretching'] } });
    expect(unknownKey.status).toBe(422);
    expect(unknownKey.body.detail).toMatch(/filter/);
  });

  it('the richer search filters, and diverse selection returns different movements', async () => {
    const filtered = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'strength', filters: { equipment: ['dumbbell'] } } });
    expect(filtered.status).toBe(200);
    expect(filtered.body.results.map((r: { exercise: Exercise }) => r.exercise.id)).toEqual([press.id]);
    const diverse = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'legs', limit: 3, diverse: true } });
    expect(diverse.status).toBe(200);
    expect(diverse.body.ranker).toBe('diverse');
    const picked = diverse.body.results.map((r: { exercise: Exercise }) => r.exercise);
    expect(picked.length).toBeGreaterThan(0);
    expect(picked.length).toBeLessThanOrEqual(3);
    expect(diverse.body.total_found).toBe(picked.length);
    expect(new Set(picked.map((e: Exercise) => e.exercise_name.toLowerCase())).size).toBe(picked.length);
    for (const e of picked) expect(Object.keys(e)).toEqual(expect.arrayContaining(CONTRACT_EXERCISE_KEYS));
    const diverseFiltered = await s.request('/api/v1/exercises/search', {
      method: 'POST',
      json: { query: 'strength', limit: 3, diverse: true, filters: { equipment: ['dumbbell'] } },
    });
    expect(diverseFiltered.body.results.map((r: { exercise: Exercise }) => r.exercise.id)).toEqual([press.id]);
    const bad = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'x', filters: { colour: 'red' } } });
    expect(bad.status).toBe(422);
  });

  it('search scores are relevance from 0 to 1: a threshold filters the same ranking; nonsense answers no match', async () => {
    const ask = (json: object) => s.request('/api/v1/exercises/search', { method: 'POST', json });
    const all = await ask({ query: 'leg strength with a kettlebell or dumbbells', limit: 10 });
    expect(all.body.ranker).toBe('hybrid');
    const scores: number[] = all.body.results.map((r: { score: number }) => r.score);
    for (const x of scores) expect(x > 0 && x <= 1).toBe(true);
    const cut = (scores[0]! + scores[scores.length - 1]!) / 2;
    const kept = await ask({ query: 'leg strength with a kettlebell or dumbbells', limit: 10, score_threshold: cut });
    expect(kept.body.ranker).toBe('hybrid');
    expect(kept.body.results).toEqual(all.body.results.filter((r: { score: number }) => r.score >= cut));
    const mash = await ask({ query: 'qwpzx vbnmk', limit: 10 });
    expect(mash.status).toBe(200);
    expect(mash.body.results).toEqual([]);
    expect(mash.body.no_match).toMatch(/no good match/i);
    expect(all.body.no_match).toBeUndefined();
  });

  it('stories are derived from the prompt offline and validated', async () => {
    const got = await s.request('/api/v1/stories/generate', {
      method: 'POST',
      json: { user_prompt: 'I sit all day, my hips are tight, I want to do handstands', story_count: 3 },
    });
    expect(got.status).toBe(200);
    expect(got.body.stories.length).toBeGreaterThan(0);
    expect(got.body.stories.length).toBeLessThanOrEqual(3);
    expect(got.body.stories.join(' ')).toMatch(/hips/);
    expect(got.body.stories.join(' ')).toMatch(/handstand/);
    expect((await s.request('/api/v1/stories/generate', { method: 'POST', json: { user_prompt: 'x', story_count: 11 } })).status).toBe(422);
    expect((await s.request('/api/v1/stories/generate', { method: 'POST', json: {} })).status).toBe(422);
  });

  it('stats are computed over all rows', async () => {
    const stats = await s.request('/api/v1/stats');
    expect(stats.body).toMatchObject({ total_exercises: 3, avg_fitness_level: 2.67, avg_intensity: 4.33, unique_urls: 2 });
  });

  it('bad requests are 4xx JSON errors, never 5xx', async () => {
    const badJson = await s.request('/api/v1/routines', { method: 'POST', body: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.body.detail).toBeTruthy();
    const wrongType = await s.request('/api/v1/routines', { method: 'POST', body: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    const huge = await s.request('/api/v1/exercises/bulk', { method: 'POST', json: { exercise_ids: ['x'.repeat(2 * 1024 * 1024)] } });
    expect(huge.status).toBe(413);
    expect((await s.request('/api/v1/nothing-here')).status).toBe(404);
    expect((await s.request('/api/v1/job-status/not-a-uuid')).body).toEqual({ detail: 'Job not found', request_id: expect.any(String) });
    const badUrl = await s.request('/api/v1/process', { method: 'POST', json: { url: 'not a url' } });
    expect(badUrl.status).toBe(422);
    expect(badUrl.body.detail).toMatch(/^url/);
    const profile = await s.request('/api/v1/process', { method: 'POST', json: { url: 'https://www.instagram.com/someone/' } });
    expect(profile.status).toBe(400);
    const extra = await s.request('/api/v1/routines', { method: 'POST', json: { name: 'x', exercise_ids: [], colour: 1 } });
    expect(extra.status).toBe(422);
  });

  it('streams clips with Range and refuses everything outside the clips folder', async () => {
    const full = await s.request(`/storage/clips/${CLIP}`);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('video/mp4');
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    const part = await fetch(`${s.url}/storage/clips/${CLIP}`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    const tail = await fetch(`${s.url}/storage/clips/${CLIP}`, { headers: { range: 'bytes=-10' } });
    expect(tail.headers.get('content-range')).toBe('bytes 990-999/1000');
    await tail.arrayBuffer();
    expect((await fetch(`${s.url}/storage/clips/${CLIP}`, { headers: { range: 'bytes=5000-' } })).status).toBe(416);
    fs.writeFileSync(path.join(s.dataDir, 'secret.mp4'), 'TOP-SECRET-CONTENT');
    fs.symlinkSync(path.join(s.dataDir, 'secret.mp4'), path.join(s.config.clipsDir, 'escape.mp4'));
    fs.writeFileSync(path.join(s.config.clipsDir, '.deleting-x.mp4'), 'x');
    for (const p of ['escape.mp4', '..%2fsecret.mp4', '%2e%2e/secret.mp4', '.deleting-x.mp4', 'missing.mp4', 'clip-a.txt']) {
      const res = await s.request(`/storage/clips/${p}`);
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.status, p).toBeLessThan(500);
      expect(res.text).not.toContain('TOP-SECRET-CONTENT');
    }
    expect((await s.request('/storage/tmp/anything.mp4')).status).toBe(404);
    // Answered by the one error mapper, like every other route.
    for (const p of ['missing.mp4', 'clip-a.txt', 'escape.mp4']) {
      expect((await s.request(`/storage/clips/${p}`)).body, p).toEqual({ detail: 'Clip not found', request_id: expect.any(String) });
    }
    const unsatisfiable = await s.request(`/storage/clips/${CLIP}`, { headers: { range: 'bytes=5000-' } });
    expect(unsatisfiable.body).toEqual({ detail: 'Range not satisfiable', request_id: expect.any(String) });
    expect(unsatisfiable.headers.get('content-range')).toBe('bytes */1000');
  });

  it('serves OpenAPI with every route, and Prometheus metrics', async () => {
    const spec = await s.request('/docs/json');
    expect(spec.status).toBe(200);
    for (const p of ['/api/v1/process', '/api/v1/job-status/{job_id}', '/api/v1/routines', '/api/v1/routines/{id}', '/api/v1/exercises',
      '/api/v1/exercises/{id}', '/api/v1/exercises/bulk', '/api/v1/stories/generate', '/api/v1/exercises/semantic-search-ids',
      '/api/v1/health/database', '/api/v1/health/vector', '/api/v1/stats', '/health', '/api/v1/exercises/search', '/api/v1/jobs']) {
      expect(spec.body.paths, p).toHaveProperty([p]);
    }
    expect((await s.request('/docs')).status).toBeLessThan(400);
    expect((await s.request(`/api/v1/exercises/${press.id}`)).status).toBe(200);
    const metrics = await s.request('/metrics');
    expect(metrics.text).toContain('http_requests_total{method="GET",route="/api/v1/exercises/:id",status="200"}');
    expect(metrics.text).toContain('fitness_builder_queue_depth');
  });

  it('/metrics leaves the job series out, rather than report zero, when jobs cannot be counted', async () => {
    await createJob(s.ctx.db, { type: 'metrics_probe' });
    expect((await s.request('/metrics')).text).toMatch(/^fitness_builder_queue_depth [1-9]/m);
    await s.ctx.db.exec('ALTER TABLE jobs RENAME TO jobs_unreachable');
    try {
      const metrics = await s.request('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('http_requests_total');
      expect(metrics.text).not.toContain('fitness_builder_queue_depth');
      expect(metrics.text).not.toContain('fitness_builder_jobs');
    } finally {
      await s.ctx.db.exec('ALTER TABLE jobs_unreachable RENAME TO jobs');
    }
  });

  it('GET /api/v1/jobs lists jobs newest first, by status, and validates its query', async () => {
    const older = (await createJob(s.ctx.db, { type: 'process_url', payload: { url: 'https://example.com/a.mp4' } })).job;
    const newer = (await createJob(s.ctx.db, { type: 'process_url', payload: { url: 'https://example.com/b.mp4' } })).job;
    const listed = await s.request('/api/v1/jobs?status=pending&limit=500');
    expect(listed.status).toBe(200);
    const ids = listed.body.map((j: { job_id: string }) => j.job_id);
    expect(ids.indexOf(newer.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    expect(listed.body.find((j: { job_id: string }) => j.job_id === newer.id)).toMatchObject({
      status: 'pending',
      result: null,
      url: 'https://example.com/b.mp4',
      progress: { step: null, percent: 0 },
    });
    expect((await s.request('/api/v1/jobs?status=done')).body.map((j: { job_id: string }) => j.job_id)).not.toContain(newer.id);
    for (const query of ['limit=0', 'limit=501', 'status=bogus', 'offset=-1']) expect((await s.request(`/api/v1/jobs?${query}`)).status).toBe(422);
  });

  it('POST /api/v1/jobs/{id}/cancel fails a pending job at once; unknown ids are 404', async () => {
    const { job } = await createJob(s.ctx.db, { type: 'process_url', payload: { url: 'https://example.com/c.mp4' } });
    const cancelled = await s.request(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ job_id: job.id, status: 'failed', error: 'Cancelled', error_code: 'cancelled', cancel_requested: true });
    expect((await s.request(`/api/v1/job-status/${job.id}`)).body).toMatchObject({ status: 'failed', error: 'Cancelled' });
    expect((await s.request(`/api/v1/jobs/${MISSING}/cancel`, { method: 'POST' })).body).toEqual({ detail: 'Job not found', request_id: expect.any(String) });
    expect((await s.request('/api/v1/jobs/nope/cancel', { method: 'POST' })).status).toBe(404);
    const again = await s.request(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: expect.stringMatching(/already failed/), request_id: expect.any(String) });
  });

  it('GET /api/v1/collection describes the vector index; POST /api/v1/reindex embeds what has no vector', async () => {
    const info = await s.request('/api/v1/collection');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ vector_size: s.ctx.embedder.dimensions, distance: 'Cosine', model: s.ctx.embedder.model, status: 'green' });
    const before = info.body.vectors_count as number;
    expect(before).toBeGreaterThan(0);
    await s.ctx.index.delete([stretch.id]);
    expect((await s.request('/api/v1/collection')).body.vectors_count).toBe(before - 1);
    const reindexed = await s.request('/api/v1/reindex', { method: 'POST' });
    expect(reindexed.status).toBe(200);
    expect(reindexed.body).toEqual({ embedded: 1, model: s.ctx.embedder.model, reset: false });
    expect((await s.request('/api/v1/collection')).body.vectors_count).toBe(before);
    expect((await s.request('/api/v1/reindex', { method: 'POST' })).body).toMatchObject({ embedded: 0 });
  });

  it('DELETE /api/v1/exercises/{id} removes row, vector and clip', async () => {
    const del = await s.request(`/api/v1/exercises/${squat.id}`, { method: 'DELETE' });
    expect(del.body).toEqual({ message: 'Exercise deleted successfully with cascade cleanup' });
    expect(fs.existsSync(path.join(s.config.clipsDir, CLIP))).toBe(false);
    expect((await s.request(`/api/v1/exercises/${squat.id}`)).status).toBe(404);
    expect((await s.request(`/api/v1/exercises/${squat.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await s.request('/api/v1/health/vector')).body.collection_info.vectors_count).toBe(2);
  });
});

describe('security settings', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('pglite', { API_KEY: 'sekret-key-for-tests', CORS_ORIGINS: 'https://app.example' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('requires the API key on mutating routes only', async () => {
    const body = { name: 'r', exercise_ids: [] };
    expect((await s.request('/api/v1/routines', { method: 'POST', json: body })).status).toBe(401);
    expect((await s.request('/api/v1/routines', { method: 'POST', json: body, headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await s.request('/api/v1/routines', { method: 'POST', json: body, headers: { authorization: 'Bearer sekret-key-for-tests' } });
    expect(ok.status).toBe(200);
    expect((await s.request('/api/v1/process', { method: 'POST', json: { url: 'https://example.com/a.mp4' } })).status).toBe(401);
    expect((await s.request('/api/v1/routines')).status).toBe(200);
    expect((await s.request('/api/v1/exercises/bulk', { method: 'POST', json: { exercise_ids: [] } })).status).toBe(200);
    const unauthorized = await s.request('/api/v1/routines', { method: 'POST', json: body });
    expect(unauthorized.text).not.toContain('sekret');
  });

  it('allows configured CORS origins only, and sets security headers', async () => {
    const allowed = await fetch(`${s.url}/api/v1/routines`, { headers: { origin: 'https://app.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await fetch(`${s.url}/api/v1/routines`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses URLs that resolve to private addresses unless allowed', async () => {
    const strict = await startTestServer('pglite', { ALLOW_PRIVATE_URLS: 'false' });
    try {
      const res = await strict.request('/api/v1/process', { method: 'POST', json: { url: 'http://127.0.0.1:9/video.mp4', background: true } });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/private|loopback/i);
    } finally {
      await strict.close();
    }
    // A second embedded database starts inside this test: slow when the machine is busy.
  }, 180_000);
});

describe('the /api/v1 contract on a PostgreSQL server without pgvector', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('postgres-without-pgvector');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('reports the index as down, the service as degraded, and still searches by full text', async () => {
    const health = await s.request('/health');
    expect(health.body).toMatchObject({ status: 'degraded', services: { database: 'connected', qdrant: 'disconnected' } });
    const vector = await s.request('/api/v1/health/vector');
    expect(vector.status).toBe(503);
    expect(vector.body.detail).toMatch(/pgvector/);
    const search = await s.request('/api/v1/exercises/semantic-search-ids', { method: 'POST', json: { query: 'squat', limit: 3 } });
    expect(search.status).toBe(200);
    expect(search.body).toEqual({ exercise_ids: [], total_found: 0 });
  });
});
