import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransientConflict, retryDelayMs } from '../../src/database/db.js';
import { addExercises, createRoutine } from '../../src/services/library.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Deleting exercises while routines that hold them are edited: both lock the routine first,
 * then the exercise, and the transaction helper reruns what PostgreSQL still aborts (deadlock,
 * serialization failure). No request may fail with a 5xx and every delete must succeed.
 */
describe('transient conflicts', () => {
  it.each([
    [{ code: '40P01' }, true],
    [{ code: '40001' }, true],
    [new Error('wrapped', { cause: { code: '40P01' } }), true],
    [{ code: '23505' }, false],
    [new Error('plain'), false],
    [null, false],
  ])('%o is retried: %s', (error, expected) => expect(isTransientConflict(error)).toBe(expected));

  it('backs off with jitter, bounded by the attempt', () => {
    expect(retryDelayMs(1, () => 0)).toBe(0);
    expect(retryDelayMs(1, () => 0.999)).toBeLessThanOrEqual(20);
    expect(retryDelayMs(4, () => 0.999)).toBeLessThanOrEqual(160);
    expect(retryDelayMs(4, () => 0.5)).toBeGreaterThan(retryDelayMs(1, () => 0.5));
  });
});

describe.each(BACKENDS)('deletes racing routine edits on %s', (backend) => {
  let s: TestServer;
  const EXERCISES = 25;
  const ROUTINES = 5;
  let exerciseIds: string[];
  let routineIds: string[];

  beforeAll(async () => {
    s = await startTestServer(backend, { DATABASE_POOL_SIZE: '20' });
    const rows = await addExercises(
      s.ctx,
      Array.from({ length: EXERCISES }, (_, i) => ({ url: `https://example.com/v${i}.mp4`, exercise_name: `Move ${i}` })),
    );
    exerciseIds = rows.map((r) => r.id);
    routineIds = [];
    for (let r = 0; r < ROUTINES; r++) {
      const order = r % 2 ? [...exerciseIds].reverse() : exerciseIds;
      routineIds.push((await createRoutine(s.ctx, { name: `Routine ${r}`, description: null, exercise_ids: order })).routine_id);
    }
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('50 mixed requests in parallel: no 5xx, every delete succeeds, routines end consistent', async () => {
    expect(exerciseIds.length).toBe(EXERCISES);
    const requests: Promise<{ kind: string; status: number; detail?: string }>[] = [];
    for (let i = 0; i < EXERCISES; i++) {
      requests.push(
        s.request(`/api/v1/exercises/${exerciseIds[i]}`, { method: 'DELETE' }).then((r) => ({ kind: 'delete', status: r.status, detail: r.body?.detail })),
      );
      // Each edit reorders a routine over exercises that are being deleted right now.
      const routine = routineIds[i % ROUTINES]!;
      const order = [...exerciseIds.slice(i), ...exerciseIds.slice(0, i)].reverse();
      requests.push(
        s
          .request(`/api/v1/routines/${routine}`, { method: 'PATCH', json: { name: `Edited ${i}`, exercise_ids: order } })
          .then((r) => ({ kind: 'edit', status: r.status, detail: r.body?.detail })),
      );
    }
    const results = await Promise.all(requests);
    expect(results).toHaveLength(50);
    const serverErrors = results.filter((r) => r.status >= 500);
    expect(serverErrors).toEqual([]);
    expect(results.filter((r) => r.kind === 'delete').map((r) => r.status)).toEqual(Array(EXERCISES).fill(200));
    // An edit naming an exercise deleted before it ran is refused naming the ids, not stored.
    for (const r of results.filter((x) => x.kind === 'edit')) {
      expect([200, 422]).toContain(r.status);
      if (r.status === 422) expect(r.detail).toMatch(/^exercise_ids: unknown exercise ids/);
    }

    expect((await s.request('/api/v1/exercises?limit=1000')).body).toEqual([]);
    for (const id of routineIds) {
      const routine = await s.request(`/api/v1/routines/${id}`);
      expect(routine.status).toBe(200);
      expect(routine.body.exercise_ids).toEqual([]);
    }
    const dangling = await s.ctx.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM routine_exercises re LEFT JOIN exercises e ON e.id = re.exercise_id WHERE e.id IS NULL',
    );
    expect(Number(dangling[0]!.n)).toBe(0);
  }, 120_000);
});
