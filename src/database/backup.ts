import type { Queryable } from './db.js';
import { exerciseRecordSchema, type ExerciseRecord } from '../domain/index.js';
import { mapExerciseRow } from './exercises.js';
import { isoTimestampSql } from './time.js';

/**
 * What the backup (and the health check's count) need from the exercise store beyond the
 * everyday reads: counts, pages in id order with exact timestamps, and the stored twin of a
 * restored row.
 */
const EXPORTED_COLUMNS = Object.keys(exerciseRecordSchema.shape);
const EXPORT_SELECT = EXPORTED_COLUMNS.map((c) => (c === 'created_at' || c === 'updated_at' ? isoTimestampSql(c) : c)).join(', ');

export async function countLibrary(db: Queryable): Promise<{ exercises: number; routines: number }> {
  const [row] = await db.query<{ e: number; r: number }>(
    'SELECT (SELECT count(*)::int FROM exercises) AS e, (SELECT count(*)::int FROM workout_routines) AS r',
  );
  return { exercises: Number(row?.e ?? 0), routines: Number(row?.r ?? 0) };
}

/** Up to `limit` exercises with ids after `after` (null: from the start), in id order. */
export async function exportExercisePage(db: Queryable, after: string | null, limit: number): Promise<ExerciseRecord[]> {
  const rows = await db.query(
    `SELECT ${EXPORT_SELECT} FROM exercises WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
    [after, limit],
  );
  return rows.map((row) => {
    const { duration: _derived, ...rest } = mapExerciseRow(row);
    return { ...rest, created_at: String(row.created_at), updated_at: String(row.updated_at) };
  });
}

/** The stored exercise a skipped row collided with: the same id, else the same source key. */
export async function findStoredExerciseId(
  db: Queryable,
  row: { id: string; normalized_url: string; carousel_index: number; exercise_name: string },
): Promise<string | null> {
  const [existing] = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM exercises
     WHERE id = $1 OR (normalized_url = $2 AND carousel_index = $3 AND lower(exercise_name) = lower($4))
     ORDER BY (id = $1) DESC LIMIT 1`,
    [row.id, row.normalized_url, row.carousel_index, row.exercise_name.trim()],
  );
  return existing?.id ?? null;
}
