import { NotFoundError, ValidationError } from '../errors.js';
import type { Db, Queryable } from './db.js';
import type { RoutineInput, WorkoutRoutine } from './types.js';
import { isUuid, parseInput, routineInputSchema, routinePatchSchema } from './validate.js';

/** The routine store: named, ordered lists of exercises. */

const ROUTINE_SELECT = `
  SELECT r.id AS routine_id, r.name, r.description, r.created_at, r.updated_at,
         COALESCE((SELECT array_agg(re.exercise_id::text ORDER BY re.position)
                   FROM routine_exercises re WHERE re.routine_id = r.id), '{}'::text[]) AS exercise_ids
  FROM workout_routines r`;

function mapRoutineRow(row: Record<string, unknown>): WorkoutRoutine {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
  return {
    routine_id: row.routine_id as string,
    name: row.name as string,
    description: (row.description as string | null) ?? null,
    exercise_ids: (row.exercise_ids as string[] | null) ?? [],
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

/** Refuses ids that are not UUIDs or name no stored exercise, naming them all. */
async function checkExerciseIds(tx: Queryable, ids: readonly string[]): Promise<string[]> {
  const normalized = ids.map((id) => id.trim().toLowerCase());
  const malformed = normalized.filter((id) => !isUuid(id));
  const candidates = [...new Set(normalized.filter(isUuid))];
  // FOR KEY SHARE keeps the exercises from being deleted until this transaction ends.
  const found = candidates.length
    ? await tx.query<{ id: string }>('SELECT id::text AS id FROM exercises WHERE id = ANY($1::uuid[]) FOR KEY SHARE', [candidates])
    : [];
  const known = new Set(found.map((r) => r.id));
  const unknown = [...malformed, ...candidates.filter((id) => !known.has(id))];
  if (unknown.length) {
    throw new ValidationError('exercise_ids', `unknown exercise ids: ${unknown.join(', ')}`);
  }
  return normalized;
}

async function writeEntries(tx: Queryable, routineId: string, ids: readonly string[]): Promise<void> {
  await tx.query('DELETE FROM routine_exercises WHERE routine_id = $1', [routineId]);
  if (ids.length === 0) return;
  await tx.query(
    `INSERT INTO routine_exercises (routine_id, position, exercise_id)
     SELECT $1, (ord - 1)::int, id FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord)`,
    [routineId, ids],
  );
}

export async function storeWorkoutRoutine(db: Db, input: RoutineInput): Promise<WorkoutRoutine> {
  const v = parseInput(routineInputSchema, input);
  return db.transaction(async (tx) => {
    const ids = await checkExerciseIds(tx, v.exercise_ids);
    const [row] = await tx.query<{ id: string }>(
      'INSERT INTO workout_routines (name, description) VALUES ($1, $2) RETURNING id',
      [v.name, v.description ?? null],
    );
    await writeEntries(tx, row!.id, ids);
    return (await getRoutineIn(tx, row!.id))!;
  });
}

async function getRoutineIn(db: Queryable, id: string): Promise<WorkoutRoutine | null> {
  const rows = await db.query(`${ROUTINE_SELECT} WHERE r.id = $1`, [id]);
  return rows[0] ? mapRoutineRow(rows[0]) : null;
}

export async function getWorkoutRoutine(db: Queryable, id: string): Promise<WorkoutRoutine | null> {
  if (!isUuid(id)) return null;
  return getRoutineIn(db, id);
}

export async function getRecentWorkoutRoutines(db: Queryable, limit = 50, offset = 0): Promise<WorkoutRoutine[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ValidationError('limit', 'must be an integer from 1 to 100');
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset', 'must be a non-negative integer');
  const rows = await db.query(`${ROUTINE_SELECT} ORDER BY r.created_at DESC, r.id DESC LIMIT $1 OFFSET $2`, [limit, offset]);
  return rows.map(mapRoutineRow);
}

/** Replaces the given fields; `exercise_ids`, when given, is the new complete order (reorder). */
export async function updateWorkoutRoutine(db: Db, id: string, patch: Partial<RoutineInput>): Promise<WorkoutRoutine> {
  const v = parseInput(routinePatchSchema, patch);
  if (!isUuid(id)) throw new NotFoundError('Routine', id);
  return db.transaction(async (tx) => {
    const existing = await tx.query('SELECT id FROM workout_routines WHERE id = $1 FOR UPDATE', [id]);
    if (!existing[0]) throw new NotFoundError('Routine', id);
    if (v.exercise_ids) await writeEntries(tx, id, await checkExerciseIds(tx, v.exercise_ids));
    await tx.query(
      `UPDATE workout_routines SET
         name = COALESCE($2, name),
         description = CASE WHEN $3::boolean THEN $4 ELSE description END,
         updated_at = now()
       WHERE id = $1`,
      [id, v.name ?? null, v.description !== undefined, v.description ?? null],
    );
    return (await getRoutineIn(tx, id))!;
  });
}

export async function deleteWorkoutRoutine(db: Queryable, id: string): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError('Routine', id);
  const rows = await db.query('DELETE FROM workout_routines WHERE id = $1 RETURNING id', [id]);
  if (!rows[0]) throw new NotFoundError('Routine', id);
}
