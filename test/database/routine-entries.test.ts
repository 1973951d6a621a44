import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addRoutineEntry,
  deleteExerciseIn,
  deleteRoutineEntry,
  getWorkoutRoutine,
  listRoutineEntries,
  reorderRoutineEntries,
  storeExercise,
  storeWorkoutRoutine,
  updateRoutineEntry,
  updateWorkoutRoutine,
  type Exercise,
  type WorkoutRoutine,
} from '../../src/database/index.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { loadMigrations, runMigrations } from '../../src/database/migrate.js';
import { BACKENDS, openTestDb, truncateAll, type TestDb } from '../helpers/db.js';

describe.each(BACKENDS)('routine entries on %s', (backend) => {
  let t: TestDb;
  let a: Exercise;
  let b: Exercise;
  let r: WorkoutRoutine;
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
    r = await storeWorkoutRoutine(t.db, { name: 'R', exercise_ids: [a.id, b.id, a.id] });
  });

  it('gives every entry of a routine, duplicates included, its own id in the routine order', async () => {
    const entries = await listRoutineEntries(t.db, r.routine_id);
    expect(entries.map((e) => [e.exercise_id, e.position])).toEqual([
      [a.id, 0],
      [b.id, 1],
      [a.id, 2],
    ]);
    expect(new Set(entries.map((e) => e.entry_id)).size).toBe(3);
    expect(entries[0]).toMatchObject({ target_sets: null, reps_min: null, weight_kg: null, group_label: null });
  });

  it('edits, moves and removes one copy of a repeated exercise, the routine contract derived', async () => {
    const [first, , third] = await listRoutineEntries(t.db, r.routine_id);
    const edited = await updateRoutineEntry(t.db, r.routine_id, third!.entry_id, { target_sets: 3, reps_min: 8, reps_max: 12, weight_kg: 42.5, rest_seconds: 90, note: 'slow' });
    expect(edited).toMatchObject({ target_sets: 3, reps_min: 8, reps_max: 12, weight_kg: 42.5, rest_seconds: 90, note: 'slow' });
    expect((await listRoutineEntries(t.db, r.routine_id))[0]).toMatchObject({ entry_id: first!.entry_id, target_sets: null });
    await deleteRoutineEntry(t.db, r.routine_id, first!.entry_id);
    const left = await listRoutineEntries(t.db, r.routine_id);
    expect(left.map((e) => [e.entry_id, e.position])).toEqual([
      [left[0]!.entry_id, 0],
      [third!.entry_id, 1],
    ]);
    expect((await getWorkoutRoutine(t.db, r.routine_id))!.exercise_ids).toEqual([b.id, a.id]);
    const moved = await reorderRoutineEntries(t.db, r.routine_id, [third!.entry_id, left[0]!.entry_id]);
    expect(moved.map((e) => e.exercise_id)).toEqual([a.id, b.id]);
    expect(moved[0]).toMatchObject({ target_sets: 3, note: 'slow' });
    expect((await getWorkoutRoutine(t.db, r.routine_id))!.exercise_ids).toEqual([a.id, b.id]);
  });

  it('adds at a position, groups a superset and ungroups it', async () => {
    const added = await addRoutineEntry(t.db, r.routine_id, { exercise_id: b.id, position: 1, duration_seconds: 45, group_label: 'A' });
    expect(added).toMatchObject({ position: 1, duration_seconds: 45, reps_min: null, group_label: 'A', group_kind: 'superset' });
    expect((await getWorkoutRoutine(t.db, r.routine_id))!.exercise_ids).toEqual([a.id, b.id, b.id, a.id]);
    const circuit = await updateRoutineEntry(t.db, r.routine_id, added.entry_id, { group_kind: 'circuit' });
    expect(circuit.group_kind).toBe('circuit');
    const reps = await updateRoutineEntry(t.db, r.routine_id, added.entry_id, { reps_min: 10 });
    expect(reps).toMatchObject({ reps_min: 10, reps_max: 10, duration_seconds: null });
    const ungrouped = await updateRoutineEntry(t.db, r.routine_id, added.entry_id, { group_label: null });
    expect(ungrouped).toMatchObject({ group_label: null, group_kind: null });
    const end = await addRoutineEntry(t.db, r.routine_id, { exercise_id: a.id, position: 99 });
    expect(end.position).toBe(4);
  });

  it('keeps the targets of entries that stay when exercise_ids is replaced', async () => {
    const [first] = await listRoutineEntries(t.db, r.routine_id);
    await updateRoutineEntry(t.db, r.routine_id, first!.entry_id, { target_sets: 5 });
    await updateWorkoutRoutine(t.db, r.routine_id, { exercise_ids: [b.id, a.id] });
    const entries = await listRoutineEntries(t.db, r.routine_id);
    expect(entries.map((e) => e.exercise_id)).toEqual([b.id, a.id]);
    expect(entries[1]).toMatchObject({ entry_id: first!.entry_id, target_sets: 5 });
  });

  it.each([
    [{ target_sets: -1 }, 'target_sets'],
    [{ target_sets: 51 }, 'target_sets'],
    [{ reps_min: 1.5 }, 'reps_min'],
    [{ weight_kg: -5 }, 'weight_kg'],
    [{ weight_kg: 100_000 }, 'weight_kg'],
    [{ rest_seconds: 10 ** 9 }, 'rest_seconds'],
    [{ reps_min: 12, reps_max: 8 }, 'reps_max'],
    [{ reps_min: 8, duration_seconds: 30 }, 'duration_seconds'],
    [{ group_kind: 'circuit' }, 'group_label'],
    [{ note: 'x'.repeat(5000) }, 'note'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses %j naming %s and changes nothing', async (patch, field) => {
    const [first] = await listRoutineEntries(t.db, r.routine_id);
    const error = await updateRoutineEntry(t.db, r.routine_id, first!.entry_id, patch as never).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe(field);
    expect((await listRoutineEntries(t.db, r.routine_id))[0]).toEqual(first);
  });

  it('refuses unknown exercises, entries of another routine and incomplete reorders', async () => {
    const other = await storeWorkoutRoutine(t.db, { name: 'O', exercise_ids: [a.id] });
    const [foreign] = await listRoutineEntries(t.db, other.routine_id);
    await expect(updateRoutineEntry(t.db, r.routine_id, foreign!.entry_id, { note: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteRoutineEntry(t.db, r.routine_id, foreign!.entry_id)).rejects.toBeInstanceOf(NotFoundError);
    const unknown = await addRoutineEntry(t.db, r.routine_id, { exercise_id: '6f1c2c36-8a43-4f7e-9d0e-1f2a3b4c5d6e' }).catch((e) => e);
    expect(unknown).toMatchObject({ field: 'exercise_id' });
    const entries = await listRoutineEntries(t.db, r.routine_id);
    const ids = entries.map((e) => e.entry_id);
    for (const order of [ids.slice(1), [...ids, ids[0]!], [ids[0]!, ids[0]!, ids[1]!], [...ids.slice(1), foreign!.entry_id]]) {
      const error = await reorderRoutineEntries(t.db, r.routine_id, order).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.field).toBe('entry_ids');
    }
    expect(await listRoutineEntries(t.db, r.routine_id)).toEqual(entries);
    await expect(listRoutineEntries(t.db, '00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('loses the entries of a deleted exercise', async () => {
    await t.db.transaction((tx) => deleteExerciseIn(tx, a.id));
    expect((await listRoutineEntries(t.db, r.routine_id)).map((e) => e.exercise_id)).toEqual([b.id]);
  });
});

describe.each(BACKENDS)('migration 0009 on %s', (backend) => {
  it('turns the rows of existing routines into entries in their order', async () => {
    const t = await openTestDb(backend, { migrate: false });
    try {
      await runMigrations(t.db, loadMigrations().filter((m) => m.version < 10));
      const a = await storeExercise(t.db, { url: 'https://example.com/a.mp4', exercise_name: 'A' });
      const b = await storeExercise(t.db, { url: 'https://example.com/b.mp4', exercise_name: 'B' });
      const [routine] = await t.db.query<{ id: string }>("INSERT INTO workout_routines (name) VALUES ('Old') RETURNING id::text AS id");
      await t.db.query('INSERT INTO routine_exercises (routine_id, position, exercise_id) VALUES ($1, 0, $2), ($1, 3, $3), ($1, 7, $2)', [
        routine!.id,
        b.id,
        a.id,
      ]);
      await runMigrations(t.db);
      const entries = await listRoutineEntries(t.db, routine!.id);
      expect(entries.map((e) => e.exercise_id)).toEqual([b.id, a.id, b.id]);
      expect(new Set(entries.map((e) => e.entry_id)).size).toBe(3);
    } finally {
      await t.close();
    }
  });
});
