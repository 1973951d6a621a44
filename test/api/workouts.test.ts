import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exercise } from '../../src/database/types.js';
import { addExercises } from '../../src/services/library.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe.each(BACKENDS)('workouts over HTTP on %s', (backend) => {
  let s: TestServer;
  let squat: Exercise;
  beforeAll(async () => {
    s = await startTestServer(backend);
    [squat] = (await addExercises(s.ctx, [{ url: 'https://example.com/squat.mp4', exercise_name: 'Squat' }])) as [Exercise];
  });
  afterAll(async () => {
    await s?.close();
  });

  it('runs a workout from a routine: log, resume, finish, refuse late sets, read the history', async () => {
    const routine = (await s.request('/api/v1/routines', { method: 'POST', json: { name: 'Legs', exercise_ids: [squat.id] } })).body;
    const [entry] = (await s.request(`/api/v1/routines/${routine.routine_id}/entries`)).body;
    await s.request(`/api/v1/routines/${routine.routine_id}/entries/${entry.entry_id}`, { method: 'PATCH', json: { target_sets: 2, reps_min: 5, weight_kg: 100 } });
    const started = await s.request('/api/v1/workouts', { method: 'POST', json: { routine_id: routine.routine_id } });
    expect(started.status).toBe(201);
    const w = started.body;
    const [first, second] = w.exercises[0].sets;
    expect(first).toMatchObject({ reps: 5, weight_kg: 100, done: false });
    const logged = await s.request(`/api/v1/workouts/${w.workout_id}/sets/${first.set_id}`, { method: 'PUT', json: { reps: 5, weight_kg: 100, rpe: 8.5, done: true } });
    expect(logged.status).toBe(200);
    const resumed = (await s.request(`/api/v1/workouts/${w.workout_id}`)).body;
    expect(resumed.current).toEqual({ workout_exercise_id: w.exercises[0].workout_exercise_id, set_id: second.set_id });

    const negative = await s.request(`/api/v1/workouts/${w.workout_id}/sets/${second.set_id}`, { method: 'PUT', json: { reps: 5, weight_kg: -20, done: true } });
    expect(negative.status).toBe(422);
    expect(negative.body.detail).toMatch(/^weight_kg/);
    const absurd = await s.request(`/api/v1/workouts/${w.workout_id}/sets/${second.set_id}`, { method: 'PUT', json: { reps: 100000, done: true } });
    expect(absurd.status).toBe(422);
    expect(absurd.body.detail).toMatch(/^reps/);

    const finished = await s.request(`/api/v1/workouts/${w.workout_id}/finish`, { method: 'POST' });
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ sets_done: 1, volume_kg: 500, exercises_done: 1 });
    expect(finished.body.new_bests[0]).toMatchObject({ exercise_name: 'Squat', best_weight_kg: 100, best_e1rm_kg: 116.67 });
    const late = await s.request(`/api/v1/workouts/${w.workout_id}/sets/${second.set_id}`, { method: 'PUT', json: { reps: 5, weight_kg: 100, done: true } });
    expect(late.status).toBe(409);
    const added = await s.request(`/api/v1/workouts/${w.workout_id}/sets/${randomUUID()}`, {
      method: 'PUT',
      json: { workout_exercise_id: w.exercises[0].workout_exercise_id, reps: 1, done: true },
    });
    expect(added.status).toBe(409);

    const list = (await s.request('/api/v1/workouts')).body;
    expect(list[0]).toMatchObject({ workout_id: w.workout_id, sets_done: 1, volume_kg: 500 });
    const history = (await s.request(`/api/v1/history/exercises/${squat.id}`)).body;
    expect(history).toMatchObject({ formula: 'epley', best_weight_kg: 100, best_e1rm_kg: 116.67 });
    expect(history.sets).toHaveLength(1);
    expect((await s.request('/api/v1/history/exercises')).body[0]).toMatchObject({ exercise_id: squat.id, workouts: 1 });
    const csv = await s.request('/api/v1/workouts/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\n')[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d;"Legs";"Squat";1;100;kg;5;8.5;;;0;"";""$/);
    expect((await s.request(`/api/v1/workouts/${randomUUID()}`)).status).toBe(404);
    expect((await s.request('/api/v1/workouts', { method: 'POST', json: { routine_id: 'nope' } })).status).toBe(422);
  });
});
