import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addRoutineEntry,
  addWorkoutExercise,
  deleteWorkoutSet,
  exerciseHistory,
  exercisesDone,
  finishWorkout,
  getWorkout,
  listRoutineEntries,
  listWorkouts,
  putWorkoutSet,
  reorderWorkoutExercises,
  startWorkout,
  storeExercise,
  storeWorkoutRoutine,
  updateRoutineEntry,
  updateWorkoutExercise,
  type Exercise,
  type WorkoutRoutine,
} from '../../src/database/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.js';
import { BACKENDS, openTestDb, truncateAll, type TestDb } from '../helpers/db.js';

describe.each(BACKENDS)('workout log on %s', (backend) => {
  let t: TestDb;
  let squat: Exercise;
  let press: Exercise;
  let routine: WorkoutRoutine;
  beforeAll(async () => {
    t = await openTestDb(backend);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await truncateAll(t.db);
    await t.db.query('TRUNCATE workouts CASCADE');
    squat = await storeExercise(t.db, { url: 'https://example.com/squat.mp4', exercise_name: 'Squat' });
    press = await storeExercise(t.db, { url: 'https://example.com/press.mp4', exercise_name: 'Press' });
    routine = await storeWorkoutRoutine(t.db, { name: 'Legs', exercise_ids: [squat.id] });
    const [entry] = await listRoutineEntries(t.db, routine.routine_id);
    await updateRoutineEntry(t.db, routine.routine_id, entry!.entry_id, { target_sets: 3, reps_min: 5, weight_kg: 60, rest_seconds: 90 });
    await addRoutineEntry(t.db, routine.routine_id, { exercise_id: press.id, target_sets: 2, reps_min: 10 });
  });

  async function logAll(workoutId: string, weight: number): Promise<void> {
    const w = (await getWorkout(t.db, workoutId))!;
    for (const e of w.exercises) {
      for (const s of e.sets) await putWorkoutSet(t.db, workoutId, s.set_id, { reps: s.reps, weight_kg: weight, done: true });
    }
  }

  it('starts from a routine, resumes at the first open set, and prefills from the last time', async () => {
    const first = await startWorkout(t.db, { routine_id: routine.routine_id });
    expect(first).toMatchObject({ name: 'Legs', finished_at: null });
    expect(first.exercises.map((e) => [e.exercise_name, e.sets.length, e.rest_seconds])).toEqual([
      ['Squat', 3, 90],
      ['Press', 2, null],
    ]);
    expect(first.exercises[0]!.sets[0]).toMatchObject({ reps: 5, weight_kg: 60, done: false });
    expect(first.current).toEqual({ workout_exercise_id: first.exercises[0]!.workout_exercise_id, set_id: first.exercises[0]!.sets[0]!.set_id });
    const s0 = first.exercises[0]!.sets[0]!;
    await putWorkoutSet(t.db, first.workout_id, s0.set_id, { reps: 6, weight_kg: 62.5, rpe: 8, done: true });
    const resumed = (await getWorkout(t.db, first.workout_id))!;
    expect(resumed.current!.set_id).toBe(first.exercises[0]!.sets[1]!.set_id);
    await logAll(first.workout_id, 70);
    const summary = await finishWorkout(t.db, first.workout_id);
    expect(summary).toMatchObject({ sets_done: 5, exercises_done: 2, volume_kg: (6 + 5 + 5) * 70 + 10 * 2 * 70 });
    expect(summary.new_bests.map((b) => b.exercise_name)).toEqual(['Squat', 'Press']);
    const second = await startWorkout(t.db, { routine_id: routine.routine_id });
    expect(second.exercises[0]!.sets.map((s) => [s.reps, s.weight_kg, s.done])).toEqual([
      [6, 70, false],
      [5, 70, false],
      [5, 70, false],
    ]);
    expect((await listWorkouts(t.db, 10, 0)).map((w) => [w.workout_id, w.sets_done])).toEqual([
      [second.workout_id, 0],
      [first.workout_id, 5],
    ]);
  });

  it('refuses a set for a finished workout with a conflict and keeps what was logged', async () => {
    const w = await startWorkout(t.db, { routine_id: routine.routine_id });
    const set = w.exercises[0]!.sets[0]!;
    await putWorkoutSet(t.db, w.workout_id, set.set_id, { reps: 5, weight_kg: 60, done: true });
    await finishWorkout(t.db, w.workout_id);
    await expect(putWorkoutSet(t.db, w.workout_id, set.set_id, { reps: 99, done: true })).rejects.toBeInstanceOf(ConflictError);
    await expect(finishWorkout(t.db, w.workout_id)).rejects.toBeInstanceOf(ConflictError);
    expect((await getWorkout(t.db, w.workout_id))!.exercises[0]!.sets[0]).toMatchObject({ reps: 5, done: true });
  });

  it('never loses a set when two devices log one workout at once; the last write of a set wins', async () => {
    const w = await startWorkout(t.db, {});
    const withSquat = await addWorkoutExercise(t.db, w.workout_id, { exercise_id: squat.id, sets: 1 });
    const we = withSquat.exercises[0]!.workout_exercise_id;
    const fresh = Array.from({ length: 8 }, () => randomUUID());
    await Promise.all(fresh.map((id, i) => putWorkoutSet(t.db, w.workout_id, id, { workout_exercise_id: we, reps: i + 1, weight_kg: 50, done: true })));
    const shared = withSquat.exercises[0]!.sets[0]!.set_id;
    await putWorkoutSet(t.db, w.workout_id, shared, { reps: 3, weight_kg: 40, done: true });
    await putWorkoutSet(t.db, w.workout_id, shared, { reps: 4, weight_kg: 45, done: true });
    const after = (await getWorkout(t.db, w.workout_id))!.exercises[0]!.sets;
    expect(after).toHaveLength(9);
    expect(after.map((s) => s.set_number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(after.map((s) => s.reps))).toEqual(new Set([4, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect(after.find((s) => s.set_id === shared)).toMatchObject({ reps: 4, weight_kg: 45 });
    // the same queued write sent twice is one set
    await putWorkoutSet(t.db, w.workout_id, fresh[0]!, { workout_exercise_id: we, reps: 1, weight_kg: 50, done: true });
    expect((await getWorkout(t.db, w.workout_id))!.exercises[0]!.sets).toHaveLength(9);
  });

  it('adds, skips, reorders exercises and removes a set during a workout', async () => {
    const w = await startWorkout(t.db, { routine_id: routine.routine_id });
    const added = await addWorkoutExercise(t.db, w.workout_id, { exercise_id: press.id, position: 0 });
    expect(added.exercises.map((e) => e.exercise_name)).toEqual(['Press', 'Squat', 'Press']);
    const skipped = await updateWorkoutExercise(t.db, w.workout_id, added.exercises[0]!.workout_exercise_id, { skipped: true });
    expect(skipped.current!.workout_exercise_id).toBe(added.exercises[1]!.workout_exercise_id);
    const ids = added.exercises.map((e) => e.workout_exercise_id);
    const moved = await reorderWorkoutExercises(t.db, w.workout_id, [ids[2]!, ids[1]!, ids[0]!]);
    expect(moved.exercises.map((e) => e.workout_exercise_id)).toEqual([ids[2], ids[1], ids[0]]);
    await expect(reorderWorkoutExercises(t.db, w.workout_id, [ids[0]!])).rejects.toBeInstanceOf(ValidationError);
    const removed = await deleteWorkoutSet(t.db, w.workout_id, moved.exercises[1]!.sets[0]!.set_id);
    expect(removed.exercises[1]!.sets).toHaveLength(2);
  });

  it.each([
    [{ reps: -1 }, 'reps'],
    [{ reps: 5000 }, 'reps'],
    [{ weight_kg: -2.5 }, 'weight_kg'],
    [{ weight_kg: 1e7 }, 'weight_kg'],
    [{ rpe: 11 }, 'rpe'],
    [{ duration_seconds: -3 }, 'duration_seconds'],
    [{ done: 'yes' }, 'done'],
  ])('refuses a set %j naming %s', async (input, field) => {
    const w = await startWorkout(t.db, { routine_id: routine.routine_id });
    const error = await putWorkoutSet(t.db, w.workout_id, w.exercises[0]!.sets[0]!.set_id, input as never).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe(field);
  });

  it('answers not found and refuses unknown routines and new sets without an exercise', async () => {
    await expect(putWorkoutSet(t.db, randomUUID(), randomUUID(), { done: true })).rejects.toBeInstanceOf(NotFoundError);
    await expect(startWorkout(t.db, { routine_id: randomUUID() })).rejects.toMatchObject({ field: 'routine_id' });
    const w = await startWorkout(t.db, {});
    await expect(putWorkoutSet(t.db, w.workout_id, randomUUID(), { done: true })).rejects.toMatchObject({ field: 'workout_exercise_id' });
  });

  it('gives an exercise every done set, its bests by Epley and the workouts that set records', async () => {
    const first = await startWorkout(t.db, { routine_id: routine.routine_id });
    await logAll(first.workout_id, 60);
    await finishWorkout(t.db, first.workout_id);
    const second = await startWorkout(t.db, { routine_id: routine.routine_id });
    const [s1, s2] = second.exercises[0]!.sets;
    await putWorkoutSet(t.db, second.workout_id, s1!.set_id, { reps: 3, weight_kg: 80, done: true });
    await putWorkoutSet(t.db, second.workout_id, s2!.set_id, { reps: 5, weight_kg: 70, done: false });
    const history = await exerciseHistory(t.db, squat.id);
    expect(history).toMatchObject({ exercise_name: 'Squat', formula: 'epley', best_weight_kg: 80, best_e1rm_kg: 88, most_reps: 5 });
    expect(history.sets).toHaveLength(4);
    expect(history.sets[0]).toMatchObject({ workout_id: second.workout_id, reps: 3, weight_kg: 80, e1rm_kg: 88 });
    expect(history.sessions.map((p) => [p.workout_id, p.best_weight_kg, p.volume_kg, p.sets])).toEqual([
      [first.workout_id, 60, 900, 3],
      [second.workout_id, 80, 240, 1],
    ]);
    expect(history.records.map((r) => [r.record, r.value, r.workout_id])).toEqual([
      ['best_weight_kg', 60, first.workout_id],
      ['best_e1rm_kg', 70, first.workout_id],
      ['most_reps', 5, first.workout_id],
      ['best_weight_kg', 80, second.workout_id],
      ['best_e1rm_kg', 88, second.workout_id],
    ]);
    expect((await exercisesDone(t.db)).map((e) => [e.exercise_name, e.workouts])).toEqual([
      ['Squat', 2],
      ['Press', 1],
    ]);
  });
});
