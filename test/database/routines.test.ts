import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  deleteWorkoutRoutine,
  getRecentWorkoutRoutines,
  getWorkoutRoutine,
  storeExercise,
  storeWorkoutRoutine,
  updateWorkoutRoutine,
  type Exercise,
} from '../../src/database/index.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { BACKENDS, openTestDb, truncateAll, type TestDb } from '../helpers/db.js';

describe.each(BACKENDS)('routine store on %s', (backend) => {
  let t: TestDb;
  let a: Exercise;
  let b: Exercise;
  beforeAll(async () => {
    t = await openTestDb(backend);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await truncateAll(t.db);
    a = await storeExercise(t.db, { url: 'https://example.com/a.mp4', exercise_name: 'A' });
    b = await storeExercise(t.db, { url: 'https://example.com/b.mp4', exercise_name: 'B' });
  });

  it('creates, reads, lists newest first, and deletes', async () => {
    const first = await storeWorkoutRoutine(t.db, { name: 'Morning', description: null, exercise_ids: [b.id, a.id] });
    expect(first).toMatchObject({ name: 'Morning', description: null, exercise_ids: [b.id, a.id] });
    expect(Object.keys(first).slice(0, 5)).toEqual(['routine_id', 'name', 'description', 'exercise_ids', 'created_at']);
    const second = await storeWorkoutRoutine(t.db, { name: 'Evening', exercise_ids: [] });
    expect(await getWorkoutRoutine(t.db, first.routine_id)).toEqual(first);
    expect((await getRecentWorkoutRoutines(t.db, 50)).map((r) => r.routine_id)).toEqual([second.routine_id, first.routine_id]);
    expect(await getRecentWorkoutRoutines(t.db, 1)).toHaveLength(1);
    await deleteWorkoutRoutine(t.db, first.routine_id);
    expect(await getWorkoutRoutine(t.db, first.routine_id)).toBeNull();
    await expect(deleteWorkoutRoutine(t.db, first.routine_id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await getWorkoutRoutine(t.db, 'nope')).toBeNull();
  });

  it('refuses unknown and malformed exercise ids, naming them, and stores nothing', async () => {
    const missing = '6f1c2c36-8a43-4f7e-9d0e-1f2a3b4c5d6e';
    const error = await storeWorkoutRoutine(t.db, { name: 'X', exercise_ids: [a.id, missing, 'bogus'] }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe('exercise_ids');
    expect(error.message).toContain(missing);
    expect(error.message).toContain('bogus');
    expect(await getRecentWorkoutRoutines(t.db)).toEqual([]);
  });

  it.each([
    [{ name: '', exercise_ids: [] }, 'name'],
    [{ name: '   ', exercise_ids: [] }, 'name'],
    [{ name: 'x'.repeat(201), exercise_ids: [] }, 'name'],
    [{ name: 'ok' }, 'exercise_ids'],
  ])('validates %j naming %s', async (input, field) => {
    const error = await storeWorkoutRoutine(t.db, input as never).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe(field);
  });

  it('updates and reorders, keeping updated_at current', async () => {
    const r = await storeWorkoutRoutine(t.db, { name: 'R', description: 'd', exercise_ids: [a.id, b.id] });
    await new Promise((res) => setTimeout(res, 5));
    const reordered = await updateWorkoutRoutine(t.db, r.routine_id, { exercise_ids: [b.id, a.id, b.id] });
    expect(reordered.exercise_ids).toEqual([b.id, a.id, b.id]);
    expect(reordered.description).toBe('d');
    expect(Date.parse(reordered.updated_at)).toBeGreaterThan(Date.parse(r.updated_at));
    const renamed = await updateWorkoutRoutine(t.db, r.routine_id, { name: 'New', description: null });
    expect(renamed).toMatchObject({ name: 'New', description: null, exercise_ids: [b.id, a.id, b.id] });
    await expect(updateWorkoutRoutine(t.db, r.routine_id, { exercise_ids: ['bad'] })).rejects.toBeInstanceOf(ValidationError);
    expect((await getWorkoutRoutine(t.db, r.routine_id))!.exercise_ids).toEqual([b.id, a.id, b.id]);
    await expect(updateWorkoutRoutine(t.db, '00000000-0000-4000-8000-000000000000', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('validates the list limit', async () => {
    await expect(getRecentWorkoutRoutines(t.db, 0)).rejects.toBeInstanceOf(ValidationError);
    await expect(getRecentWorkoutRoutines(t.db, 101)).rejects.toBeInstanceOf(ValidationError);
  });
});
