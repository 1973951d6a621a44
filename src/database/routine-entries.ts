import { NotFoundError, ValidationError } from '../errors.js';
import { MAX_ROUTINE_ENTRIES } from '../limits.js';
import { entryInputSchema, entryPatchSchema, mergeEntry, type EntryInput, type EntryPatch, type EntryValues, type RoutineEntry } from '../training/entries.js';
import type { Db, Queryable } from './db.js';
import { checkExerciseIds } from './routines.js';
import { isUuid } from '../domain/index.js';
import { parseInput } from '../errors.js';

/**
 * The entries of a routine (rows of routine_exercises): each its own id and targets. Positions
 * are kept 0..n-1 after every write. Every write locks the routine first, then the exercises,
 * the lock order of every routine edit, and moves the routine's updated_at.
 */
const ENTRY_COLUMNS = `re.id::text AS entry_id, re.exercise_id::text AS exercise_id, re.position, re.target_sets, re.reps_min,
  re.reps_max, re.duration_seconds, re.weight_kg, re.rest_seconds, re.note, re.group_label, re.group_kind`;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function mapEntryRow(row: Record<string, unknown>): RoutineEntry {
  return {
    entry_id: row.entry_id as string,
    exercise_id: row.exercise_id as string,
    position: Number(row.position),
    target_sets: num(row.target_sets),
    reps_min: num(row.reps_min),
    reps_max: num(row.reps_max),
    duration_seconds: num(row.duration_seconds),
    weight_kg: num(row.weight_kg),
    rest_seconds: num(row.rest_seconds),
    note: (row.note as string | null) ?? null,
    group_label: (row.group_label as string | null) ?? null,
    group_kind: (row.group_kind as RoutineEntry['group_kind']) ?? null,
  };
}

async function lockRoutine(tx: Queryable, routineId: string): Promise<void> {
  if (!isUuid(routineId)) throw new NotFoundError('Routine', routineId);
  const rows = await tx.query('SELECT id FROM workout_routines WHERE id = $1 FOR UPDATE', [routineId]);
  if (!rows[0]) throw new NotFoundError('Routine', routineId);
}

async function touchAndCompact(tx: Queryable, routineId: string): Promise<void> {
  await tx.query(
    `UPDATE routine_exercises re SET position = t.rn
     FROM (SELECT id, (row_number() OVER (ORDER BY position) - 1)::int AS rn FROM routine_exercises WHERE routine_id = $1) t
     WHERE re.id = t.id AND re.position <> t.rn`,
    [routineId],
  );
  await tx.query('UPDATE workout_routines SET updated_at = now() WHERE id = $1', [routineId]);
}

async function entryIn(tx: Queryable, routineId: string, entryId: string): Promise<RoutineEntry> {
  const rows = isUuid(entryId)
    ? await tx.query(`SELECT ${ENTRY_COLUMNS} FROM routine_exercises re WHERE re.routine_id = $1 AND re.id = $2`, [routineId, entryId])
    : [];
  if (!rows[0]) throw new NotFoundError('Routine entry', entryId);
  return mapEntryRow(rows[0]);
}

function valuesOrThrow(merged: ReturnType<typeof mergeEntry>): EntryValues {
  if (!('exercise_id' in merged)) throw new ValidationError(merged.field, merged.message);
  return merged;
}

async function writeValues(tx: Queryable, entryId: string, v: EntryValues): Promise<void> {
  await tx.query(
    `UPDATE routine_exercises SET exercise_id = $2, target_sets = $3, reps_min = $4, reps_max = $5, duration_seconds = $6,
       weight_kg = $7, rest_seconds = $8, note = $9, group_label = $10, group_kind = $11
     WHERE id = $1`,
    [entryId, v.exercise_id, v.target_sets, v.reps_min, v.reps_max, v.duration_seconds, v.weight_kg, v.rest_seconds, v.note, v.group_label, v.group_kind],
  );
}

export async function listRoutineEntries(db: Queryable, routineId: string): Promise<RoutineEntry[]> {
  if (!isUuid(routineId)) throw new NotFoundError('Routine', routineId);
  const found = await db.query('SELECT id FROM workout_routines WHERE id = $1', [routineId]);
  if (!found[0]) throw new NotFoundError('Routine', routineId);
  const rows = await db.query(`SELECT ${ENTRY_COLUMNS} FROM routine_exercises re WHERE re.routine_id = $1 ORDER BY re.position`, [routineId]);
  return rows.map(mapEntryRow);
}

/** Adds an entry at `position` (the end when absent or past it); duplicates of an exercise are allowed. */
export async function addRoutineEntry(db: Db, routineId: string, input: EntryInput): Promise<RoutineEntry> {
  const { position, ...fields } = parseInput(entryInputSchema, input);
  const values = valuesOrThrow(mergeEntry({ exercise_id: fields.exercise_id }, fields));
  return db.transaction(async (tx) => {
    await lockRoutine(tx, routineId);
    await checkExerciseIds(tx, [values.exercise_id]).catch(() => {
      throw new ValidationError('exercise_id', `unknown exercise id: ${values.exercise_id}`);
    });
    const [{ n }] = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM routine_exercises WHERE routine_id = $1', [routineId])) as [
      { n: number },
    ];
    if (n >= MAX_ROUTINE_ENTRIES) throw new ValidationError('entries', `a routine holds at most ${MAX_ROUTINE_ENTRIES} entries`);
    await touchAndCompact(tx, routineId);
    const at = position === undefined ? n : Math.min(position, n);
    await tx.query('UPDATE routine_exercises SET position = position + 1 WHERE routine_id = $1 AND position >= $2', [routineId, at]);
    const [row] = await tx.query<{ id: string }>(
      'INSERT INTO routine_exercises (routine_id, position, exercise_id) VALUES ($1, $2, $3) RETURNING id::text AS id',
      [routineId, at, values.exercise_id],
    );
    await writeValues(tx, row!.id, values);
    return entryIn(tx, routineId, row!.id);
  });
}

export async function updateRoutineEntry(db: Db, routineId: string, entryId: string, patch: EntryPatch): Promise<RoutineEntry> {
  const v = parseInput(entryPatchSchema, patch);
  return db.transaction(async (tx) => {
    await lockRoutine(tx, routineId);
    const current = await entryIn(tx, routineId, entryId);
    const values = valuesOrThrow(mergeEntry(current, v));
    if (v.exercise_id) {
      await checkExerciseIds(tx, [v.exercise_id]).catch(() => {
        throw new ValidationError('exercise_id', `unknown exercise id: ${v.exercise_id}`);
      });
    }
    await writeValues(tx, current.entry_id, values);
    await touchAndCompact(tx, routineId);
    return entryIn(tx, routineId, current.entry_id);
  });
}

export async function deleteRoutineEntry(db: Db, routineId: string, entryId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await lockRoutine(tx, routineId);
    const current = await entryIn(tx, routineId, entryId);
    await tx.query('DELETE FROM routine_exercises WHERE id = $1', [current.entry_id]);
    await touchAndCompact(tx, routineId);
  });
}

/** `entryIds` is the new complete order: every entry of the routine exactly once. */
export async function reorderRoutineEntries(db: Db, routineId: string, entryIds: readonly string[]): Promise<RoutineEntry[]> {
  if (!Array.isArray(entryIds) || entryIds.length > MAX_ROUTINE_ENTRIES) {
    throw new ValidationError('entry_ids', `must be a list of at most ${MAX_ROUTINE_ENTRIES} entry ids`);
  }
  const wanted = entryIds.map((id) => String(id).trim().toLowerCase());
  return db.transaction(async (tx) => {
    await lockRoutine(tx, routineId);
    const rows = await tx.query<{ id: string }>('SELECT id::text AS id FROM routine_exercises WHERE routine_id = $1', [routineId]);
    const have = new Set(rows.map((r) => r.id));
    const unknown = wanted.filter((id) => !have.has(id));
    if (unknown.length) throw new ValidationError('entry_ids', `not entries of this routine: ${unknown.join(', ')}`);
    if (new Set(wanted).size !== wanted.length || wanted.length !== have.size) {
      throw new ValidationError('entry_ids', 'must name every entry of the routine exactly once');
    }
    if (wanted.length) {
      await tx.query(
        `UPDATE routine_exercises re SET position = (t.ord - 1)::int
         FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord) WHERE re.id = t.id AND re.routine_id = $1`,
        [routineId, wanted],
      );
    }
    await touchAndCompact(tx, routineId);
    const out = await tx.query(`SELECT ${ENTRY_COLUMNS} FROM routine_exercises re WHERE re.routine_id = $1 ORDER BY re.position`, [routineId]);
    return out.map(mapEntryRow);
  });
}
