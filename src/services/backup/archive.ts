import { z } from 'zod';
import { exerciseRecordSchema, isUuid } from '../../domain/index.js';
import { errorMessage, ValidationError } from '../../errors.js';

/**
 * Portable backup: a gzip-compressed JSON Lines archive holding exercises, routines, embeddings
 * and clip files, readable by either database backend. Both directions stream, so memory stays
 * bounded by one page of rows or one chunk of a file, whatever the size of the library.
 *
 * Layout: a header line, then per page of exercises (by id) their `exercise` records, their
 * `embedding` records and the `file` records (each followed by its `chunk` lines) of the clips
 * and thumbnails they point at; then `routine` records; then an `end` trailer with the counts,
 * whose absence marks a truncated archive.
 */

export interface BackupSummary {
  exercises: number;
  routines: number;
  embeddings: number;
  files: number;
  /** Size of the archive written. */
  bytes: number;
}

export interface RestoreSummary {
  exercises: number;
  routines: number;
  embeddings: number;
  files: number;
  /** Exercises and routines already present (same id, or for exercises the same source key). */
  skipped: number;
  /** Restored exercises left without a vector: run `fitness-builder reindex`. */
  needsReindex: number;
}

export const BACKUP_FORMAT = 'fitness-builder-backup';
export const BACKUP_VERSION = 1;

// Far above any legitimate line (a 512 KB chunk is ~700 KB of base64), so a corrupt archive
// cannot make the reader buffer without bound while looking for a newline.
const MAX_LINE_BYTES = 16 * 1024 * 1024;

const uuid = z
  .string()
  .refine(isUuid, 'must be a UUID')
  .transform((s) => s.toLowerCase());
const timestamp = z.iso.datetime();
const nullableText = z.string().nullable();

export const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  created_at: timestamp,
  app_version: z.string(),
  embedding: z.object({ model: z.string().min(1), dimensions: z.number().int().positive() }).nullable(),
});
export type Header = z.infer<typeof headerSchema>;

// Types only: the rules (lengths, ranges, URL normalization) are the store's, applied on insert.
const exerciseRowSchema = exerciseRecordSchema
  .extend({ id: uuid, qdrant_id: uuid.nullable(), job_id: uuid.nullable(), created_at: timestamp, updated_at: timestamp })
  .strict();

const routineRowSchema = z
  .object({
    routine_id: uuid,
    name: z.string(),
    description: nullableText,
    exercise_ids: z.array(uuid),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .strict();

const countsSchema = z
  .object({
    exercises: z.number().int().min(0),
    routines: z.number().int().min(0),
    embeddings: z.number().int().min(0),
    files: z.number().int().min(0),
  })
  .strict();
export type Counts = z.infer<typeof countsSchema>;

export const recordSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('exercise'), row: exerciseRowSchema }).strict(),
  z.object({ type: z.literal('routine'), row: routineRowSchema }).strict(),
  z.object({ type: z.literal('embedding'), id: uuid, vector: z.array(z.number()).min(1) }).strict(),
  z
    .object({
      type: z.literal('file'),
      name: z.string(),
      size: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256'),
    })
    .strict(),
  z
    .object({ type: z.literal('chunk'), data: z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64') })
    .strict(),
  z.object({ type: z.literal('end'), counts: countsSchema }).strict(),
]);
export type ArchiveRecord = z.infer<typeof recordSchema>;
export type ExerciseRow = z.infer<typeof exerciseRowSchema>;
export type RoutineRow = z.infer<typeof routineRowSchema>;

/** One archive record as one line of JSON. */
export const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/**
 * Splits a byte stream into lines, pulling the next chunk only when the consumer asks for a
 * line. (readline's async iterator reads ahead without bound while the consumer awaits the
 * database, which with ~700 KB chunk lines means hundreds of MB.)
 */
export async function* readLines(input: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const iterator = input[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } catch (error) {
      // A refusal of the input's own (its expanded size) keeps its message.
      if (error instanceof ValidationError) throw error;
      // Only the archive's own failures land here (truncated or not gzip); errors thrown by the
      // consumer end this generator through return() instead.
      throw new ValidationError('file', `the archive is truncated or not a gzip file (${errorMessage(error)})`);
    }
    if (next.done) break;
    const chunk = next.value;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const text = pendingBytes ? Buffer.concat([...pending, piece]).toString('utf8') : piece.toString('utf8');
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      yield text;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) throw new ValidationError('file', `a line is longer than ${MAX_LINE_BYTES} bytes`);
    }
  }
  if (pendingBytes) yield Buffer.concat(pending).toString('utf8');
}

export function parseLine<S extends z.ZodType>(schema: S, text: string, lineNo: number): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('file', `line ${lineNo}: not JSON (the archive is corrupt)`);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.map(String).join('.');
  throw new ValidationError('file', `line ${lineNo}: ${where ? `${where}: ` : ''}${issue.message}`);
}

