import { NotFoundError, parseInput, ValidationError } from '../errors.js';
import { ROUTINES_DEFAULT_LIMIT } from '../limits.js';
import type { Db, Queryable } from './db.js';
import { toIso } from '../time.js';
import { isoTimestampSql } from './time.js';
import type { RoutineInput, WorkoutRoutine } from './types.js';
import { isUuid } from '../domain/index.js';
import { routineInputSchema, routinePatchSchema } from './validate.js';

/** The routine store: named, ordered lists of exercises. */

const routineSelect = (timestamps = 'r.created_at, r.updated_at') => `
  SELECT r.id AS routine_id, r.name, r.description, ${timestamps},
         COALESCE((SELECT array_agg(re.exercise_id::text ORDER BY re.position)
                   FROM routine_exercises re WHERE re.routine_id = r.id), '{}'::text[]) AS exercise_ids
  FROM workout_routines r`;
const ROUTINE_SELECT = routineSelect();

function mapRoutineRow(row: Record<string, unknown>): WorkoutRoutine {
  return {
    routine_id: row.routine_id as string,
    name: row.name as string,
    description: (row.description as string | null) ?? null,
    exercise_ids: (row.exercise_ids as string[] | null) ?? [],
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

/** Refuses ids that are not UUIDs or name no stored exercise, naming them all. */
export async function checkExerciseIds(tx: Queryable, ids: readonly string[]): Promise<string[]> {
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

/**
 * Makes `ids` the routine's exercise order. An entry whose exercise stays keeps its id and
 * targets (the n-th copy of an exercise keeps the n-th entry of it); the others go, and new
 * exercises get entries without targets.
 */
async function writeEntries(tx: Queryable, routineId: string, ids: readonly string[]): Promise<void> {
  const existing = await tx.query<{ id: string; exercise_id: string }>(
    'SELECT id::text AS id, exercise_id::text AS exercise_id FROM routine_exercises WHERE routine_id = $1 ORDER BY position',
    [routineId],
  );
  const unused = new Map<string, string[]>();
  for (const row of existing) unused.set(row.exercise_id, [...(unused.get(row.exercise_id) ?? []), row.id]);
  const kept = ids.map((id) => unused.get(id)?.shift() ?? null);
  const keptIds = kept.filter((id): id is string => id !== null);
  await tx.query('DELETE FROM routine_exercises WHERE routine_id = $1 AND NOT (id = ANY($2::uuid[]))', [routineId, keptIds]);
  if (ids.length === 0) return;
  await tx.query(
    `INSERT INTO routine_exercises (id, routine_id, position, exercise_id)
     SELECT COALESCE(entry, gen_random_uuid()), $1, (ord - 1)::int, exercise
     FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS t(exercise, entry, ord)
     ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position`,
    [routineId, ids, kept],
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

export async function getRecentWorkoutRoutines(db: Queryable, limit = ROUTINES_DEFAULT_LIMIT, offset = 0): Promise<WorkoutRoutine[]> {
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

/** Up to `limit` routines with ids after `after` (null: from the start), in id order, timestamps to the microsecond (backup). */
export async function exportRoutinePage(db: Queryable, after: string | null, limit: number): Promise<WorkoutRoutine[]> {
  const timestamps = `${isoTimestampSql('r.created_at', 'created_at')}, ${isoTimestampSql('r.updated_at', 'updated_at')}`;
  const rows = await db.query(`${routineSelect(timestamps)} WHERE ($1::uuid IS NULL OR r.id > $1::uuid) ORDER BY r.id LIMIT $2`, [
    after,
    limit,
  ]);
  return rows.map((row) => ({ ...mapRoutineRow(row), created_at: String(row.created_at), updated_at: String(row.updated_at) }));
}

/**
 * Stores a routine as it was (id, timestamps, entries) unless one with its id exists; returns
 * whether it was stored. Every entry must name a stored exercise (ValidationError on exercise_ids).
 */
export async function restoreWorkoutRoutine(tx: Queryable, routine: WorkoutRoutine): Promise<boolean> {
  const ids = await checkExerciseIds(tx, routine.exercise_ids);
  const inserted = await tx.query(
    `INSERT INTO workout_routines (id, name, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [routine.routine_id, routine.name, routine.description, routine.created_at, routine.updated_at],
  );
  if (!inserted[0]) return false;
  await writeEntries(tx, routine.routine_id, ids);
  return true;
}
