import { z } from 'zod';
import {
  EXERCISE_COLUMNS,
  isoTime,
  exerciseInputSchema,
  exerciseSchema,
  WRITABLE_COLUMNS,
  type Exercise,
  type ExerciseInput,
  type ExerciseRecord,
} from '../domain/index.js';
import { ConflictError, parseInput, ValidationError } from '../errors.js';
import { searchDocumentParts } from '../language/document.js';
import { normalizeUrl } from '../urls/index.js';
import type { Queryable } from './db.js';
import { toIso } from '../time.js';

/**
 * Between the domain's exercise and the `exercises` table: the column lists, the mapping of a
 * driver's row, the completion of an input and the insert statement, shared by reads and writes.
 */
export { EXERCISE_COLUMNS };

export function exerciseColumns(alias?: string): string {
  return EXERCISE_COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
}

// The drivers return numeric columns as strings, timestamps as Dates and NULL for empty arrays:
// which column needs which conversion follows from the field's type in the domain schema.
const kindOf = (field: keyof Exercise): 'number' | 'time' | 'array' | 'plain' => {
  const declared = exerciseSchema.shape[field];
  if (declared === isoTime) return 'time';
  const type = declared instanceof z.ZodNullable ? declared.unwrap() : declared;
  if (type instanceof z.ZodArray) return 'array';
  return type instanceof z.ZodNumber ? 'number' : 'plain';
};
const COLUMN_KINDS = EXERCISE_COLUMNS.map((c) => [c, kindOf(c)] as const);

/** Both drivers' rows in one mapping. */
export function mapExerciseRow(row: Record<string, unknown>): Exercise {
  const out: Record<string, unknown> = {};
  for (const [column, kind] of COLUMN_KINDS) {
    const v = row[column];
    if (kind === 'time') out[column] = toIso(v);
    else if (kind === 'array') out[column] = v ?? [];
    else if (v === null || v === undefined) out[column] = null;
    else out[column] = kind === 'number' ? Number(v) : v;
  }
  return out as Exercise;
}

const lowerTag = (v: string | null | undefined) => (v == null ? null : v.trim().toLowerCase());
const lowerTags = (v: readonly string[] | null | undefined) => [...new Set((v ?? []).map((s) => s.trim().toLowerCase()))];

type Taxonomy = Pick<Exercise, 'category' | 'equipment' | 'force' | 'mechanic' | 'primary_muscles' | 'secondary_muscles'>;

/** Taxonomy is stored trimmed and lower-cased, lists without repeats; fields left out stay out. */
export function lowerTaxonomy<T extends { [K in keyof Taxonomy]?: Taxonomy[K] | null }>(v: T): T {
  const out: Record<string, unknown> = { ...v };
  for (const f of ['category', 'equipment', 'force', 'mechanic'] as const) if (v[f] !== undefined) out[f] = lowerTag(v[f]);
  for (const f of ['primary_muscles', 'secondary_muscles'] as const) if (v[f] !== undefined) out[f] = lowerTags(v[f]);
  return out as T;
}

export type PreparedExercise = Omit<ExerciseRecord, 'id' | 'created_at' | 'updated_at'> & { id: string | undefined };

/** Validates and completes an input: URL normalized, taxonomy lower-cased, times to milliseconds. */
export function prepareExercise(input: ExerciseInput): PreparedExercise {
  const v = parseInput(exerciseInputSchema, input);
  let normalized = v.normalized_url;
  let platform = v.platform;
  let carouselIndex = v.carousel_index;
  if (normalized === undefined) {
    if (!v.url) throw new ValidationError('url', 'a URL (or normalized_url) is required');
    const n = normalizeUrl(v.url);
    normalized = n.normalized;
    platform ??= n.platform;
    carouselIndex ??= n.carouselIndex;
  }
  if (!platform) throw new ValidationError('platform', 'required when normalized_url is given');
  const ms = (t: number | null | undefined) => (t == null ? null : Math.round(t * 1000) / 1000);
  const prepared = Object.fromEntries(WRITABLE_COLUMNS.map((c) => [c, v[c] ?? null])) as PreparedExercise;
  return {
    ...lowerTaxonomy(prepared),
    id: v.id,
    normalized_url: normalized,
    platform,
    carousel_index: carouselIndex ?? 1,
    start_time: ms(v.start_time),
    end_time: ms(v.end_time),
  };
}

/** Validates every input, naming the failing one's position when there are several. */
export function prepareAll(inputs: readonly ExerciseInput[]): PreparedExercise[] {
  return inputs.map((input, i) => {
    try {
      return prepareExercise(input);
    } catch (error) {
      if (error instanceof ValidationError && inputs.length > 1) {
        throw new ValidationError(`[${i}].${error.field}`, error.message.slice(error.field.length + 2));
      }
      throw error;
    }
  });
}

export const DOCUMENT_SQL = (a: number, b: number, c: number) =>
  `setweight(to_tsvector('english', $${a}), 'A') || setweight(to_tsvector('english', $${b}), 'B') || setweight(to_tsvector('english', $${c}), 'C')`;

export const RETURNING = `RETURNING ${EXERCISE_COLUMNS.join(', ')}`;

/** The insert: every writable column, then the three search document parts, then `extra` columns. */
export function insertStatement(onConflict: 'error' | 'skip', extra: readonly string[] = []): string {
  const n = WRITABLE_COLUMNS.length;
  const values = WRITABLE_COLUMNS.map((c, i) => (c === 'id' ? `COALESCE($${i + 1}::uuid, gen_random_uuid())` : `$${i + 1}`));
  const extraValues = extra.map((_, i) => `$${n + 4 + i}`);
  return `INSERT INTO exercises (${[...WRITABLE_COLUMNS, 'search_document', ...extra].join(', ')})
    VALUES (${[...values, DOCUMENT_SQL(n + 1, n + 2, n + 3), ...extraValues].join(', ')})
    ${onConflict === 'skip' ? 'ON CONFLICT DO NOTHING' : ''}
    ${RETURNING}`;
}

export function insertParams(row: PreparedExercise): unknown[] {
  const doc = searchDocumentParts(row);
  return [...WRITABLE_COLUMNS.map((c) => row[c] ?? null), doc.name, doc.taxonomy, doc.body];
}

export function translateWriteError(error: unknown): never {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e?.code === '23505' && (e.constraint === 'exercises_source_key' || /exercises_source_key/.test(e.message ?? ''))) {
    throw new ConflictError('An exercise with this name already exists for this source URL and carousel item', {
      cause: error,
    });
  }
  if (e?.code === '23505') throw new ConflictError('An exercise with this id already exists', { cause: error });
  throw error;
}

/** Runs one prepared insert per row; rows skipped by `ON CONFLICT DO NOTHING` are left out. */
export async function insertRows(tx: Queryable, sql: string, params: readonly unknown[][]): Promise<Exercise[]> {
  const stored: Exercise[] = [];
  for (const p of params) {
    try {
      const result = await tx.query(sql, p);
      if (result[0]) stored.push(mapExerciseRow(result[0]));
    } catch (error) {
      translateWriteError(error);
    }
  }
  return stored;
}
