import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { MAX_ROUTINE_ENTRIES, MAX_SETS_PER_EXERCISE } from '../limits.js';
import { bestsOf, newRecords, volumeKg, type Bests } from '../training/progress.js';
import {
  resumePoint,
  setInputSchema,
  workoutExerciseInputSchema,
  workoutExercisePatchSchema,
  workoutStartSchema,
  type SetInput,
  type Workout,
  type WorkoutExercise,
  type WorkoutExerciseInput,
  type WorkoutListItem,
  type WorkoutSet,
  type WorkoutStart,
  type WorkoutSummary,
} from '../training/workouts.js';
import type { Db, Queryable } from './db.js';
import { listRoutineEntries } from './routine-entries.js';
import { toIso, toIsoOrNull } from '../time.js';
import { isUuid } from '../domain/index.js';
import { parseInput } from '../errors.js';

/**
 * The workout log. Every write locks the workout row first, so writes to one workout (from any
 * number of devices) apply one after another: a set written is never lost, and a second write of
 * the same set replaces it (last write wins). A finished workout takes no more writes (409).
 */
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function mapSet(row: Record<string, unknown>): WorkoutSet {
  return {
    set_id: row.set_id as string,
    set_number: Number(row.set_number),
    reps: num(row.reps),
    weight_kg: num(row.weight_kg),
    duration_seconds: num(row.duration_seconds),
    rpe: num(row.rpe),
    done: Boolean(row.done),
    updated_at: toIso(row.updated_at),
  };
}

const SET_COLUMNS = `s.id::text AS set_id, s.set_number, s.reps, s.weight_kg, s.duration_seconds, s.rpe, s.done, s.updated_at`;

export async function getWorkout(db: Queryable, id: string): Promise<Workout | null> {
  if (!isUuid(id)) return null;
  const [w] = await db.query('SELECT * FROM workouts WHERE id = $1', [id]);
  if (!w) return null;
  const exercises = await db.query(
    `SELECT id::text AS workout_exercise_id, exercise_id::text AS exercise_id, exercise_name, position, rest_seconds, group_label,
            group_kind, skipped
     FROM workout_exercises WHERE workout_id = $1 ORDER BY position`,
    [id],
  );
  const sets = await db.query(
    `SELECT s.workout_exercise_id::text AS workout_exercise_id, ${SET_COLUMNS}
     FROM workout_sets s JOIN workout_exercises we ON we.id = s.workout_exercise_id
     WHERE we.workout_id = $1 ORDER BY s.set_number`,
    [id],
  );
  const byExercise = new Map<string, WorkoutSet[]>();
  for (const row of sets) {
    const key = row.workout_exercise_id as string;
    byExercise.set(key, [...(byExercise.get(key) ?? []), mapSet(row)]);
  }
  const list: WorkoutExercise[] = exercises.map((row, i) => ({
    workout_exercise_id: row.workout_exercise_id as string,
    exercise_id: (row.exercise_id as string | null) ?? null,
    exercise_name: row.exercise_name as string,
    position: i,
    rest_seconds: num(row.rest_seconds),
    group_label: (row.group_label as string | null) ?? null,
    group_kind: (row.group_kind as WorkoutExercise['group_kind']) ?? null,
    skipped: Boolean(row.skipped),
    sets: byExercise.get(row.workout_exercise_id as string) ?? [],
  }));
  return {
    workout_id: w.id as string,
    routine_id: (w.routine_id as string | null) ?? null,
    name: w.name as string,
    note: (w.note as string | null) ?? null,
    started_at: toIso(w.started_at),
    finished_at: toIsoOrNull(w.finished_at),
    updated_at: toIso(w.updated_at),
    exercises: list,
    current: w.finished_at ? null : resumePoint(list),
  };
}

async function workoutOrThrow(db: Queryable, id: string): Promise<Workout> {
  const w = await getWorkout(db, id);
  if (!w) throw new NotFoundError('Workout', id);
  return w;
}

/** Locks an open workout for a write; 404 when missing, 409 when finished. */
async function lockOpenWorkout(tx: Queryable, id: string): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError('Workout', id);
  const [row] = await tx.query<{ finished_at: unknown }>('SELECT finished_at FROM workouts WHERE id = $1 FOR UPDATE', [id]);
  if (!row) throw new NotFoundError('Workout', id);
  if (row.finished_at) throw new ConflictError('The workout is finished: it takes no more sets or changes');
}

async function touch(tx: Queryable, id: string): Promise<void> {
  await tx.query('UPDATE workouts SET updated_at = now() WHERE id = $1', [id]);
}

/** The done sets of the latest other workout that did this exercise: what a new workout is prefilled with. */
async function lastTimeSets(tx: Queryable, exerciseId: string, exceptWorkout: string): Promise<WorkoutSet[]> {
  const rows = await tx.query(
    `SELECT ${SET_COLUMNS} FROM workout_sets s
     WHERE s.done AND s.workout_exercise_id = (
       SELECT we.id FROM workout_exercises we JOIN workouts w ON w.id = we.workout_id
       WHERE we.exercise_id = $1 AND w.id <> $2 AND EXISTS (SELECT 1 FROM workout_sets d WHERE d.workout_exercise_id = we.id AND d.done)
       ORDER BY w.started_at DESC, we.position DESC LIMIT 1)
     ORDER BY s.set_number`,
    [exerciseId, exceptWorkout],
  );
  return rows.map(mapSet);
}

interface Plan {
  sets: number | null;
  reps: number | null;
  weight_kg: number | null;
  duration_seconds: number | null;
}

async function insertExercise(
  tx: Queryable,
  workoutId: string,
  position: number,
  exerciseId: string,
  extra: { rest_seconds: number | null; group_label: string | null; group_kind: string | null },
  plan: Plan,
): Promise<void> {
  const [exercise] = await tx.query<{ exercise_name: string }>('SELECT exercise_name FROM exercises WHERE id = $1 FOR KEY SHARE', [exerciseId]);
  if (!exercise) throw new ValidationError('exercise_id', `unknown exercise id: ${exerciseId}`);
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO workout_exercises (workout_id, position, exercise_id, exercise_name, rest_seconds, group_label, group_kind)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text AS id`,
    [workoutId, position, exerciseId, exercise.exercise_name, extra.rest_seconds, extra.group_label, extra.group_kind],
  );
  const last = await lastTimeSets(tx, exerciseId, workoutId);
  const count = Math.min(plan.sets ?? (last.length || 1), MAX_SETS_PER_EXERCISE);
  for (let i = 0; i < count; i++) {
    const before = last[i] ?? last.at(-1);
    await tx.query(
      `INSERT INTO workout_sets (workout_exercise_id, set_number, reps, weight_kg, duration_seconds) VALUES ($1, $2, $3, $4, $5)`,
      [row!.id, i + 1, before?.reps ?? plan.reps, before?.weight_kg ?? plan.weight_kg, before?.duration_seconds ?? plan.duration_seconds],
    );
  }
}

/** Starts a workout, empty or from a routine (its entries copied, sets prefilled from the last time). */
export async function startWorkout(db: Db, input: WorkoutStart): Promise<Workout> {
  const v = parseInput(workoutStartSchema, input);
  return db.transaction(async (tx) => {
    let routineName: string | null = null;
    if (v.routine_id) {
      const [routine] = await tx.query<{ name: string }>('SELECT name FROM workout_routines WHERE id = $1 FOR KEY SHARE', [v.routine_id]);
      if (!routine) throw new ValidationError('routine_id', `unknown routine id: ${v.routine_id}`);
      routineName = routine.name;
    }
    const [row] = await tx.query<{ id: string }>('INSERT INTO workouts (routine_id, name, note) VALUES ($1, $2, $3) RETURNING id::text AS id', [
      v.routine_id ?? null,
      v.name ?? routineName ?? 'Workout',
      v.note ?? null,
    ]);
    if (v.routine_id) {
      const entries = await listRoutineEntries(tx, v.routine_id);
      for (const [i, e] of entries.entries()) {
        await insertExercise(tx, row!.id, i, e.exercise_id, e, {
          sets: e.target_sets,
          reps: e.reps_min,
          weight_kg: e.weight_kg,
          duration_seconds: e.duration_seconds,
        });
      }
    }
    return workoutOrThrow(tx, row!.id);
  });
}

async function compact(tx: Queryable, workoutId: string): Promise<void> {
  await tx.query(
    `UPDATE workout_exercises we SET position = t.rn
     FROM (SELECT id, (row_number() OVER (ORDER BY position) - 1)::int AS rn FROM workout_exercises WHERE workout_id = $1) t
     WHERE we.id = t.id AND we.position <> t.rn`,
    [workoutId],
  );
}

/** Adds an exercise during a workout, at `position` or the end, prefilled from the last time. */
export async function addWorkoutExercise(db: Db, workoutId: string, input: WorkoutExerciseInput): Promise<Workout> {
  const v = parseInput(workoutExerciseInputSchema, input);
  return db.transaction(async (tx) => {
    await lockOpenWorkout(tx, workoutId);
    const [{ n }] = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM workout_exercises WHERE workout_id = $1', [workoutId])) as [
      { n: number },
    ];
    if (n >= MAX_ROUTINE_ENTRIES) throw new ValidationError('exercise_id', `a workout holds at most ${MAX_ROUTINE_ENTRIES} exercises`);
    await compact(tx, workoutId);
    const at = Math.min(v.position ?? n, n);
    await tx.query('UPDATE workout_exercises SET position = position + 1 WHERE workout_id = $1 AND position >= $2', [workoutId, at]);
    await insertExercise(tx, workoutId, at, v.exercise_id, { rest_seconds: null, group_label: null, group_kind: null }, {
      sets: v.sets ?? null,
      reps: null,
      weight_kg: null,
      duration_seconds: null,
    });
    await touch(tx, workoutId);
    return workoutOrThrow(tx, workoutId);
  });
}

async function exerciseOfWorkout(tx: Queryable, workoutId: string, workoutExerciseId: string, field = 'workout_exercise_id'): Promise<void> {
  const rows = isUuid(workoutExerciseId)
    ? await tx.query('SELECT 1 FROM workout_exercises WHERE id = $1 AND workout_id = $2', [workoutExerciseId, workoutId])
    : [];
  if (!rows[0]) {
    if (field === 'path') throw new NotFoundError('Workout exercise', workoutExerciseId);
    throw new ValidationError(field, `not an exercise of this workout: ${workoutExerciseId}`);
  }
}

/** Skips (or unskips) an exercise, or changes its rest. */
export async function updateWorkoutExercise(db: Db, workoutId: string, workoutExerciseId: string, patch: unknown): Promise<Workout> {
  const v = parseInput(workoutExercisePatchSchema, patch);
  return db.transaction(async (tx) => {
    await lockOpenWorkout(tx, workoutId);
    await exerciseOfWorkout(tx, workoutId, workoutExerciseId, 'path');
    await tx.query(
      `UPDATE workout_exercises SET skipped = COALESCE($2, skipped),
         rest_seconds = CASE WHEN $3::boolean THEN $4 ELSE rest_seconds END WHERE id = $1`,
      [workoutExerciseId, v.skipped ?? null, v.rest_seconds !== undefined, v.rest_seconds ?? null],
    );
    await touch(tx, workoutId);
    return workoutOrThrow(tx, workoutId);
  });
}

/** `ids` is the new complete order of the workout's exercises. */
export async function reorderWorkoutExercises(db: Db, workoutId: string, ids: readonly string[]): Promise<Workout> {
  const wanted = ids.map((id) => String(id).trim().toLowerCase());
  return db.transaction(async (tx) => {
    await lockOpenWorkout(tx, workoutId);
    const rows = await tx.query<{ id: string }>('SELECT id::text AS id FROM workout_exercises WHERE workout_id = $1', [workoutId]);
    const have = new Set(rows.map((r) => r.id));
    if (wanted.some((id) => !have.has(id)) || new Set(wanted).size !== wanted.length || wanted.length !== have.size) {
      throw new ValidationError('workout_exercise_ids', 'must name every exercise of the workout exactly once');
    }
    if (wanted.length) {
      await tx.query(
        `UPDATE workout_exercises we SET position = (t.ord - 1)::int
         FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord) WHERE we.id = t.id AND we.workout_id = $1`,
        [workoutId, wanted],
      );
    }
    await touch(tx, workoutId);
    return workoutOrThrow(tx, workoutId);
  });
}

/**
 * Writes one set whole, creating it when its id is new (a client may choose the id, so a set
 * queued offline is written once however often it is sent). Returns the workout.
 */
export async function putWorkoutSet(db: Db, workoutId: string, setId: string, input: SetInput): Promise<Workout> {
  const v = parseInput(setInputSchema, input);
  if (!isUuid(setId)) throw new ValidationError('set_id', 'must be a UUID');
  const id = setId.toLowerCase();
  return db.transaction(async (tx) => {
    await lockOpenWorkout(tx, workoutId);
    const [existing] = await tx.query<{ workout_exercise_id: string }>(
      `SELECT s.workout_exercise_id::text AS workout_exercise_id FROM workout_sets s JOIN workout_exercises we ON we.id = s.workout_exercise_id
       WHERE s.id = $1 AND we.workout_id = $2`,
      [id, workoutId],
    );
    const values = [v.reps ?? null, v.weight_kg ?? null, v.duration_seconds ?? null, v.rpe ?? null, v.done];
    if (existing) {
      if (v.workout_exercise_id && v.workout_exercise_id !== existing.workout_exercise_id) {
        throw new ValidationError('workout_exercise_id', 'a set stays with its exercise');
      }
      await tx.query('UPDATE workout_sets SET reps = $2, weight_kg = $3, duration_seconds = $4, rpe = $5, done = $6, updated_at = now() WHERE id = $1', [
        id,
        ...values,
      ]);
    } else {
      const taken = await tx.query('SELECT 1 FROM workout_sets WHERE id = $1', [id]);
      if (taken[0]) throw new ConflictError('That set id belongs to another workout');
      if (!v.workout_exercise_id) throw new ValidationError('workout_exercise_id', 'is required for a new set');
      await exerciseOfWorkout(tx, workoutId, v.workout_exercise_id);
      const [{ n }] = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM workout_sets WHERE workout_exercise_id = $1', [
        v.workout_exercise_id,
      ])) as [{ n: number }];
      if (n >= MAX_SETS_PER_EXERCISE) throw new ValidationError('set_id', `an exercise holds at most ${MAX_SETS_PER_EXERCISE} sets`);
      await tx.query(
        `INSERT INTO workout_sets (id, workout_exercise_id, set_number, reps, weight_kg, duration_seconds, rpe, done)
         VALUES ($1, $2, (SELECT COALESCE(max(set_number), 0) + 1 FROM workout_sets WHERE workout_exercise_id = $2), $3, $4, $5, $6, $7)`,
        [id, v.workout_exercise_id, ...values],
      );
    }
    await touch(tx, workoutId);
    return workoutOrThrow(tx, workoutId);
  });
}

export async function deleteWorkoutSet(db: Db, workoutId: string, setId: string): Promise<Workout> {
  return db.transaction(async (tx) => {
    await lockOpenWorkout(tx, workoutId);
    const rows = isUuid(setId)
      ? await tx.query(
          `DELETE FROM workout_sets s USING workout_exercises we WHERE s.id = $1 AND we.id = s.workout_exercise_id AND we.workout_id = $2 RETURNING s.id`,
          [setId, workoutId],
        )
      : [];
    if (!rows[0]) throw new NotFoundError('Set', setId);
    await touch(tx, workoutId);
    return workoutOrThrow(tx, workoutId);
  });
}

/** Bests per exercise over the done sets of workouts started before `before` (other than `except`). */
async function bestsBefore(tx: Queryable, exerciseId: string, except: string, before: unknown): Promise<Bests> {
  const rows = await tx.query(
    `SELECT s.reps, s.weight_kg, s.done FROM workout_sets s JOIN workout_exercises we ON we.id = s.workout_exercise_id
     JOIN workouts w ON w.id = we.workout_id
     WHERE we.exercise_id = $1 AND w.id <> $2 AND w.started_at <= $3 AND s.done`,
    [exerciseId, except, before],
  );
  return bestsOf(rows.map((r) => ({ reps: num(r.reps), weight_kg: num(r.weight_kg), done: true })));
}

/** What a workout came to; new bests compare with the workouts started before it. */
export async function summarizeWorkout(db: Queryable, id: string): Promise<WorkoutSummary> {
  const w = await workoutOrThrow(db, id);
  const [times] = await db.query<{ started_at: unknown; seconds: number }>(
    `SELECT started_at, GREATEST(0, EXTRACT(EPOCH FROM (COALESCE(finished_at, now()) - started_at)))::float8 AS seconds FROM workouts WHERE id = $1`,
    [id],
  );
  const all = w.exercises.flatMap((e) => e.sets);
  const newBests: WorkoutSummary['new_bests'] = [];
  for (const e of w.exercises) {
    if (!e.exercise_id || !e.sets.some((s) => s.done)) continue;
    const now = bestsOf(e.sets);
    const records = newRecords(await bestsBefore(db, e.exercise_id, id, times!.started_at), now);
    if (records.length) newBests.push({ exercise_id: e.exercise_id, exercise_name: e.exercise_name, records, ...now });
  }
  return {
    workout_id: id,
    duration_seconds: Math.round(Number(times!.seconds)),
    volume_kg: volumeKg(all),
    sets_done: all.filter((s) => s.done).length,
    exercises_done: w.exercises.filter((e) => e.sets.some((s) => s.done)).length,
    new_bests: newBests,
  };
}

/** Finishes a workout (409 when it already is) and returns its summary. */
export async function finishWorkout(db: Db, id: string): Promise<WorkoutSummary> {
  return db.transaction(async (tx) => {
    await lockOpenWorkout(tx, id);
    await tx.query('UPDATE workouts SET finished_at = now(), updated_at = now() WHERE id = $1', [id]);
    return summarizeWorkout(tx, id);
  });
}

export async function deleteWorkout(db: Queryable, id: string): Promise<void> {
  const rows = isUuid(id) ? await db.query('DELETE FROM workouts WHERE id = $1 RETURNING id', [id]) : [];
  if (!rows[0]) throw new NotFoundError('Workout', id);
}

export async function listWorkouts(db: Queryable, limit: number, offset: number): Promise<WorkoutListItem[]> {
  const rows = await db.query(
    `SELECT w.id::text AS workout_id, w.routine_id::text AS routine_id, w.name, w.started_at, w.finished_at,
       (SELECT count(*)::int FROM workout_exercises we WHERE we.workout_id = w.id) AS exercises,
       (SELECT count(*)::int FROM workout_sets s JOIN workout_exercises we ON we.id = s.workout_exercise_id WHERE we.workout_id = w.id AND s.done) AS sets_done,
       (SELECT COALESCE(sum(COALESCE(s.reps, 0) * COALESCE(s.weight_kg, 0)), 0)::float8 FROM workout_sets s
          JOIN workout_exercises we ON we.id = s.workout_exercise_id WHERE we.workout_id = w.id AND s.done) AS volume_kg
     FROM workouts w ORDER BY w.started_at DESC, w.id DESC LIMIT $1 OFFSET $2`,
    [limit, offset],
  );
  return rows.map((r) => ({
    workout_id: r.workout_id as string,
    routine_id: (r.routine_id as string | null) ?? null,
    name: r.name as string,
    started_at: toIso(r.started_at),
    finished_at: toIsoOrNull(r.finished_at),
    exercises: Number(r.exercises),
    sets_done: Number(r.sets_done),
    volume_kg: Math.round(Number(r.volume_kg) * 100) / 100,
  }));
}
