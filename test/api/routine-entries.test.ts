import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exercise } from '../../src/database/types.js';
import { addExercises } from '../../src/services/library.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe.each(BACKENDS)('routine entries over HTTP on %s', (backend) => {
  let s: TestServer;
  let squat: Exercise;
  let press: Exercise;
  beforeAll(async () => {
    s = await startTestServer(backend);
    [squat, press] = (await addExercises(s.ctx, [
      { url: 'https://example.com/squat.mp4', exercise_name: 'Squat' },
      { url: 'https://example.com/press.mp4', exercise_name: 'Press' },
    ])) as [Exercise, Exercise];
  });
  afterAll(async () => {
    await s?.close();
  });

  it('builds a superset of entries, the contract exercise_ids derived from them', async () => {
    const created = await s.request('/api/v1/routines', { method: 'POST', json: { name: 'Legs', exercise_ids: [squat!.id] } });
    expect(created.status).toBe(200);
    const id = created.body.routine_id as string;
    const [first] = (await s.request(`/api/v1/routines/${id}/entries`)).body;
    const patched = await s.request(`/api/v1/routines/${id}/entries/${first.entry_id}`, {
      method: 'PATCH',
      json: { target_sets: 4, reps_min: 6, reps_max: 8, weight_kg: 80, rest_seconds: 120, group_label: 'A' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ target_sets: 4, reps_min: 6, reps_max: 8, weight_kg: 80, group_kind: 'superset' });
    const added = await s.request(`/api/v1/routines/${id}/entries`, { method: 'POST', json: { exercise_id: press!.id, reps_min: 10, group_label: 'A' } });
    expect(added.status).toBe(201);
    const again = await s.request(`/api/v1/routines/${id}/entries`, { method: 'POST', json: { exercise_id: squat!.id, position: 0, duration_seconds: 60 } });
    expect(again.status).toBe(201);
    expect((await s.request(`/api/v1/routines/${id}`)).body.exercise_ids).toEqual([squat!.id, squat!.id, press!.id]);

    const order = [added.body.entry_id, first.entry_id, again.body.entry_id];
    const reordered = await s.request(`/api/v1/routines/${id}/entries/order`, { method: 'PUT', json: { entry_ids: order } });
    expect(reordered.status).toBe(200);
    expect(reordered.body.map((e: { entry_id: string }) => e.entry_id)).toEqual(order);
    const removed = await s.request(`/api/v1/routines/${id}/entries/${again.body.entry_id}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect((await s.request(`/api/v1/routines/${id}`)).body.exercise_ids).toEqual([press!.id, squat!.id]);
  });

  it.each([
    [{ weight_kg: -1 }, 'weight_kg'],
    [{ target_sets: 1e6 }, 'target_sets'],
    [{ reps_min: 10, reps_max: 5 }, 'reps_max'],
    [{ group_kind: 'pyramid' }, 'group_kind'],
  ])('answers 422 naming the field for %j', async (patch, field) => {
    const created = await s.request('/api/v1/routines', { method: 'POST', json: { name: 'Bad', exercise_ids: [squat!.id] } });
    const id = created.body.routine_id as string;
    const [entry] = (await s.request(`/api/v1/routines/${id}/entries`)).body;
    const answer = await s.request(`/api/v1/routines/${id}/entries/${entry.entry_id}`, { method: 'PATCH', json: patch });
    expect(answer.status).toBe(422);
    expect(answer.body.detail).toMatch(new RegExp(`^${field}`));
    const missing = await s.request(`/api/v1/routines/${id}/entries/00000000-0000-4000-8000-000000000000`, { method: 'PATCH', json: { note: 'x' } });
    expect(missing.status).toBe(404);
  });
});
