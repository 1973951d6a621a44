import { NotFoundError } from '../errors.js';
import type { ExerciseHistory, HistoryIndex } from '../training/history.js';
import type { LogRow } from '../training/strong-csv.js';
import { bestsOf, epley1rm, volumeKg, type Bests } from '../training/progress.js';
import type { Queryable } from './db.js';
import { toIso } from '../time.js';
import { isUuid } from '../domain/index.js';

/** Reads over the workout log: every done set of an exercise, its bests and records. */
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function exerciseHistory(db: Queryable, exerciseId: string): Promise<ExerciseHistory> {
  if (!isUuid(exerciseId)) throw new NotFoundError('Exercise', exerciseId);
  const [exercise] = await db.query<{ exercise_name: string }>('SELECT exercise_name FROM exercises WHERE id = $1', [exerciseId]);
  if (!exercise) throw new NotFoundError('Exercise', exerciseId);
  const rows = await db.query(
    `SELECT w.id::text AS workout_id, w.name AS workout_name, w.started_at, s.set_number, s.reps, s.weight_kg, s.duration_seconds, s.rpe
     FROM workout_sets s JOIN workout_exercises we ON we.id = s.workout_exercise_id JOIN workouts w ON w.id = we.workout_id
     WHERE we.exercise_id = $1 AND s.done
     ORDER BY w.started_at, w.id, we.position, s.set_number`,
    [exerciseId],
  );
  const sets = rows.map((r) => ({
    workout_id: r.workout_id as string,
    workout_name: r.workout_name as string,
    started_at: toIso(r.started_at),
    set_number: Number(r.set_number),
    reps: num(r.reps),
    weight_kg: num(r.weight_kg),
    duration_seconds: num(r.duration_seconds),
    rpe: num(r.rpe),
    e1rm_kg: epley1rm(num(r.weight_kg), num(r.reps)),
  }));
  const sessions: ExerciseHistory['sessions'] = [];
  const records: ExerciseHistory['records'] = [];
  let running: Bests = { best_weight_kg: null, best_e1rm_kg: null, most_reps: null };
  for (const set of sets) {
    if (sessions.at(-1)?.workout_id !== set.workout_id) {
      sessions.push({ workout_id: set.workout_id, started_at: set.started_at, best_weight_kg: null, best_e1rm_kg: null, volume_kg: 0, sets: 0 });
    }
  }
  for (const session of sessions) {
    const own = sets.filter((s) => s.workout_id === session.workout_id).map((s) => ({ ...s, done: true }));
    const bests = bestsOf(own);
    Object.assign(session, { best_weight_kg: bests.best_weight_kg, best_e1rm_kg: bests.best_e1rm_kg, volume_kg: volumeKg(own), sets: own.length });
    for (const key of Object.keys(bests) as (keyof Bests)[]) {
      const value = bests[key];
      if (value !== null && (running[key] === null || value > running[key]!)) {
        records.push({ record: key, value, workout_id: session.workout_id, started_at: session.started_at });
        running = { ...running, [key]: value };
      }
    }
  }
  return {
    exercise_id: exerciseId,
    exercise_name: exercise.exercise_name,
    formula: 'epley',
    ...running,
    records,
    sessions,
    sets: [...sets].reverse(),
  };
}

/** The exercises that have logged sets, most recently done first. */
export async function exercisesDone(db: Queryable): Promise<HistoryIndex> {
  const rows = await db.query(
    `SELECT we.exercise_id::text AS exercise_id, max(e.exercise_name) AS exercise_name, count(DISTINCT w.id)::int AS workouts,
       max(w.started_at) AS last_done, max(CASE WHEN s.reps > 0 THEN s.weight_kg END) AS best_weight_kg
     FROM workout_sets s JOIN workout_exercises we ON we.id = s.workout_exercise_id JOIN workouts w ON w.id = we.workout_id
     JOIN exercises e ON e.id = we.exercise_id
     WHERE s.done GROUP BY we.exercise_id ORDER BY max(w.started_at) DESC`,
  );
  return rows.map((r) => ({
    exercise_id: r.exercise_id as string,
    exercise_name: r.exercise_name as string,
    workouts: Number(r.workouts),
    last_done: toIso(r.last_done),
    best_weight_kg: num(r.best_weight_kg),
  }));
}

/** Every done set of every workout, oldest first (the CSV export). */
export async function exportLogRows(db: Queryable): Promise<LogRow[]> {
  const rows = await db.query(
    `SELECT w.started_at, w.name AS workout_name, w.note AS workout_note, we.exercise_name, s.set_number, s.reps, s.weight_kg,
            s.duration_seconds, s.rpe
     FROM workout_sets s JOIN workout_exercises we ON we.id = s.workout_exercise_id JOIN workouts w ON w.id = we.workout_id
     WHERE s.done ORDER BY w.started_at, w.id, we.position, s.set_number`,
  );
  return rows.map((r) => ({
    started_at: toIso(r.started_at),
    workout_name: r.workout_name as string,
    workout_note: (r.workout_note as string | null) ?? null,
    exercise_name: r.exercise_name as string,
    set_number: Number(r.set_number),
    reps: num(r.reps),
    weight_kg: num(r.weight_kg),
    duration_seconds: num(r.duration_seconds),
    rpe: num(r.rpe),
  }));
}
