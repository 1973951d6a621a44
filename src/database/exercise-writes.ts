import {
  EDITABLE_FIELDS,
  exercisePatchSchema,
  isUuid,
  type Exercise,
  type ExerciseInput,
  type ExercisePatch,
  type ExerciseRecord,
} from '../domain/index.js';
import { NotFoundError, parseInput } from '../errors.js';
import { searchDocumentParts } from '../language/document.js';
import type { Db, Queryable } from './db.js';
import {
  DOCUMENT_SQL,
  exerciseColumns,
  insertParams,
  insertRows,
  insertStatement,
  lowerTaxonomy,
  mapExerciseRow,
  prepareAll,
  prepareExercise,
  RETURNING,
  translateWriteError,
} from './exercise-rows.js';
import { getExerciseById } from './exercise-reads.js';

/** Writes of the `exercises` table: inserts, edits, deletes and the restore of a backup's rows. */

const EDITABLE_COLUMNS = Object.keys(EDITABLE_FIELDS) as (keyof typeof EDITABLE_FIELDS)[];

export async function storeExercise(db: Queryable, input: ExerciseInput): Promise<Exercise> {
  const row = prepareExercise(input);
  try {
    const rows = await db.query(insertStatement('error'), insertParams(row));
    return mapExerciseRow(rows[0]!);
  } catch (error) {
    translateWriteError(error);
  }
}

/**
 * Stores many exercises in one transaction. With `onConflict: 'skip'` rows whose source key
 * already exists are left alone (idempotent imports); returns only the rows inserted.
 */
export async function storeExercises(
  db: Db,
  inputs: readonly ExerciseInput[],
  options: { onConflict: 'error' | 'skip' } = { onConflict: 'error' },
): Promise<Exercise[]> {
  const rows = prepareAll(inputs);
  return db.transaction((tx) => insertRows(tx, insertStatement(options.onConflict), rows.map(insertParams)));
}

/** The same inside a transaction the caller holds (rows and vectors committing together). */
export async function storeExercisesIn(
  tx: Queryable,
  inputs: readonly ExerciseInput[],
  onConflict: 'error' | 'skip',
): Promise<Exercise[]> {
  return insertRows(tx, insertStatement(onConflict), prepareAll(inputs).map(insertParams));
}

export async function updateExercise(db: Queryable, id: string, patch: ExercisePatch): Promise<Exercise> {
  const v = parseInput(exercisePatchSchema, patch);
  if (!isUuid(id)) throw new NotFoundError('Exercise', id);
  const current = await getExerciseById(db, id);
  if (!current) throw new NotFoundError('Exercise', id);
  const next = { ...current, ...lowerTaxonomy(v) };
  const doc = searchDocumentParts(next);
  try {
    const n = EDITABLE_COLUMNS.length;
    const rows = await db.query(
      `UPDATE exercises SET ${EDITABLE_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ')},
         search_document = ${DOCUMENT_SQL(n + 2, n + 3, n + 4)}, updated_at = now()
       WHERE id = $1 ${RETURNING}`,
      [id, ...EDITABLE_COLUMNS.map((c) => next[c]), doc.name, doc.taxonomy, doc.body],
    );
    if (!rows[0]) throw new NotFoundError('Exercise', id);
    return mapExerciseRow(rows[0]);
  } catch (error) {
    translateWriteError(error);
  }
}

/**
 * Deletes the row inside the caller's transaction; its embedding and routine entries go with it
 * through foreign keys. The files it names are the caller's to remove once the transaction commits.
 */
export async function deleteExerciseIn(tx: Queryable, id: string): Promise<Exercise> {
  if (!isUuid(id)) throw new NotFoundError('Exercise', id);
  // Lock order, the same as a routine edit's: routines first (by id), then the exercise. The
  // opposite order deadlocked against PATCH /routines on the server.
  await tx.query(
    `SELECT id FROM workout_routines
     WHERE id IN (SELECT routine_id FROM routine_exercises WHERE exercise_id = $1)
     ORDER BY id FOR UPDATE`,
    [id],
  );
  const rows = await tx.query(`SELECT ${exerciseColumns()} FROM exercises WHERE id = $1 FOR UPDATE`, [id]);
  if (!rows[0]) throw new NotFoundError('Exercise', id);
  // Positions in routines may then have gaps, which is harmless because only their order matters.
  await tx.query(
    `UPDATE workout_routines SET updated_at = now()
     WHERE id IN (SELECT routine_id FROM routine_exercises WHERE exercise_id = $1)`,
    [id],
  );
  await tx.query('DELETE FROM exercises WHERE id = $1', [id]);
  return mapExerciseRow(rows[0]);
}

/**
 * Deletes every exercise of these slides of a source (a forced re-run replaces them); returns
 * the deleted rows' clip and thumbnail paths for the caller to remove after the commit.
 */
export async function deleteExercisesOfSlides(
  tx: Queryable,
  normalizedUrl: string,
  carouselIndexes: readonly number[],
): Promise<Pick<Exercise, 'id' | 'video_path' | 'thumbnail_path'>[]> {
  return tx.query<Pick<Exercise, 'id' | 'video_path' | 'thumbnail_path'>>(
    `DELETE FROM exercises WHERE normalized_url = $1 AND carousel_index = ANY($2::int[]) RETURNING id, video_path, thumbnail_path`,
    [normalizedUrl, carouselIndexes],
  );
}

/**
 * Inserts rows from a backup with their own ids and timestamps, through the same preparation
 * and search document as every other insert. Rows whose id or source key is already stored are
 * left alone; returns the rows inserted.
 */
export async function restoreExerciseRows(tx: Queryable, rows: readonly ExerciseRecord[]): Promise<Exercise[]> {
  const sql = insertStatement('skip', ['created_at', 'updated_at']);
  const params = prepareAll(rows).map((row, i) => [...insertParams(row), rows[i]!.created_at, rows[i]!.updated_at]);
  return insertRows(tx, sql, params);
}
