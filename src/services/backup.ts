import { createHash, randomBytes, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { z } from 'zod';
import { clipFilePath, clipRelativePath } from '../database/clip-files.js';
import type { Queryable } from '../database/db.js';
import { EXERCISE_COLUMNS, mapExerciseRow, restoreExerciseRows, type RestorableExercise } from '../database/exercises.js';
import { PLATFORMS } from '../database/types.js';
import { isUuid, parseInput, routineInputSchema } from '../database/validate.js';
import { ConflictError, errorMessage, ValidationError } from '../errors.js';
import { logger } from '../logger.js';
import { VERSION } from '../version.js';
import type { VectorItem } from '../vectors/types.js';
import type { AppContext } from './context.js';

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

const PAGE_SIZE = 200;
const CHUNK_BYTES = 512 * 1024;
const VECTORS_PER_UPSERT = 200;
// Far above any legitimate line (a 512 KB chunk is ~700 KB of base64), so a corrupt archive
// cannot make the reader buffer without bound while looking for a newline.
const MAX_LINE_BYTES = 16 * 1024 * 1024;

type Progress = { onProgress?: (done: number, total: number) => void };

// Microseconds, which toISOString() would drop: keeps the created_at order of restored rows exact.
const timestampText = (column: string, alias = column) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${alias}`;

const EXPORTED_COLUMNS = EXERCISE_COLUMNS.filter((c) => c !== 'duration');
const EXERCISE_SELECT = EXPORTED_COLUMNS.map((c) => (c === 'created_at' || c === 'updated_at' ? timestampText(c) : c)).join(', ');

// ---------------------------------------------------------------------------------------------
// Archive records

const uuid = z
  .string()
  .refine(isUuid, 'must be a UUID')
  .transform((s) => s.toLowerCase());
const timestamp = z.iso.datetime();
const nullableText = z.string().nullable();

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  created_at: timestamp,
  app_version: z.string(),
  embedding: z.object({ model: z.string().min(1), dimensions: z.number().int().positive() }).nullable(),
});
type Header = z.infer<typeof headerSchema>;

// Types only: the rules (lengths, ranges, URL normalization) are the store's, applied on insert.
const exerciseRowSchema = z
  .object({
    id: uuid,
    exercise_name: z.string(),
    video_path: nullableText,
    start_time: z.number().nullable(),
    end_time: z.number().nullable(),
    how_to: nullableText,
    benefits: nullableText,
    counteracts: nullableText,
    fitness_level: z.number().int().nullable(),
    rounds_reps: nullableText,
    intensity: z.number().int().nullable(),
    qdrant_id: uuid.nullable(),
    created_at: timestamp,
    url: nullableText,
    normalized_url: z.string(),
    carousel_index: z.number().int(),
    platform: z.enum(PLATFORMS),
    thumbnail_path: nullableText,
    category: nullableText,
    primary_muscles: z.array(z.string()),
    secondary_muscles: z.array(z.string()),
    equipment: nullableText,
    force: nullableText,
    mechanic: nullableText,
    job_id: uuid.nullable(),
    updated_at: timestamp,
  })
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
type Counts = z.infer<typeof countsSchema>;

const recordSchema = z.discriminatedUnion('type', [
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
type ArchiveRecord = z.infer<typeof recordSchema>;
type ExerciseRow = z.infer<typeof exerciseRowSchema>;
type RoutineRow = z.infer<typeof routineRowSchema>;

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/** The clip files a row owns, as plain names inside clipsDir (paths that are not ours are ignored). */
function ownedFileNames(clipsDir: string, row: { video_path: string | null; thumbnail_path: string | null }): string[] {
  return [row.video_path, row.thumbnail_path].flatMap((p) => {
    const abs = clipFilePath(clipsDir, p);
    return abs ? [path.basename(abs)] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// Backup

async function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

async function* fileLines(abs: string, name: string): AsyncGenerator<string> {
  // Hashed first because the record announcing the file carries its checksum; the second pass
  // checks that the file did not change in between.
  const { size, sha256 } = await hashFile(abs);
  yield line({ type: 'file', name, size, sha256 });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(abs, { highWaterMark: CHUNK_BYTES })) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
    yield line({ type: 'chunk', data: buf.toString('base64') });
  }
  if (bytes !== size || hash.digest('hex') !== sha256) throw new Error(`clip file ${name} changed while it was being backed up`);
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await fsp.stat(file)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function mapExportedExercise(row: Record<string, unknown>): ExerciseRow {
  const { duration: _derived, ...rest } = mapExerciseRow(row);
  return { ...rest, created_at: String(row.created_at), updated_at: String(row.updated_at) };
}

/**
 * Writes the archive to `<file>.partial` and renames it into place when complete, so `file`
 * is either the previous content or a whole archive. Reads rows page by page without holding a
 * transaction (an embedded database would stay locked for the whole copy); routines are
 * written last and keep only exercises the archive holds, so it is self-consistent even if
 * the library changes meanwhile.
 */
export async function createBackup(ctx: AppContext, file: string, opts: Progress = {}): Promise<BackupSummary> {
  const { db, config } = ctx;
  const status = ctx.index.status();
  const withVectors = status.available && !status.needsReindex;
  const header: Header = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created_at: new Date().toISOString(),
    app_version: VERSION,
    embedding: withVectors ? { model: ctx.embedder.model, dimensions: ctx.embedder.dimensions } : null,
  };
  const [totals] = await db.query<{ e: number; r: number }>(
    'SELECT (SELECT count(*)::int FROM exercises) AS e, (SELECT count(*)::int FROM workout_routines) AS r',
  );
  const total = Number(totals?.e ?? 0) + Number(totals?.r ?? 0);
  const counts: Counts = { exercises: 0, routines: 0, embeddings: 0, files: 0 };
  // Ids and names only (tens of bytes each): needed to keep routines consistent and files unique.
  const exportedIds = new Set<string>();
  const exportedFiles = new Set<string>();
  let done = 0;

  async function* lines(): AsyncGenerator<string> {
    yield line(header);
    let after: string | null = null;
    for (;;) {
      const rows: Record<string, unknown>[] = await db.query(
        `SELECT ${EXERCISE_SELECT} FROM exercises WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
        [after, PAGE_SIZE],
      );
      if (rows.length === 0) break;
      const page = rows.map(mapExportedExercise);
      after = page[page.length - 1]!.id;
      for (const row of page) {
        yield line({ type: 'exercise', row });
        exportedIds.add(row.id);
        counts.exercises++;
      }
      if (withVectors) {
        const vectors = await ctx.index.vectors(page.map((r) => r.id));
        for (const row of page) {
          const vector = vectors.get(row.id);
          if (!vector) continue;
          yield line({ type: 'embedding', id: row.id, vector });
          counts.embeddings++;
        }
      }
      for (const row of page) {
        for (const name of ownedFileNames(config.clipsDir, row)) {
          if (exportedFiles.has(name)) continue;
          exportedFiles.add(name);
          const abs = path.join(config.clipsDir, name);
          if (!(await fileExists(abs))) {
            logger.warn({ exercise: row.id, file: name }, 'backup: clip file is missing, the row is kept without it');
            continue;
          }
          yield* fileLines(abs, name);
          counts.files++;
        }
      }
      done += page.length;
      opts.onProgress?.(done, total);
    }
    after = null;
    for (;;) {
      const rows: Record<string, unknown>[] = await db.query(
        `SELECT r.id::text AS routine_id, r.name, r.description, ${timestampText('r.created_at', 'created_at')},
                ${timestampText('r.updated_at', 'updated_at')},
                COALESCE((SELECT array_agg(re.exercise_id::text ORDER BY re.position)
                          FROM routine_exercises re WHERE re.routine_id = r.id), '{}'::text[]) AS exercise_ids
         FROM workout_routines r WHERE ($1::uuid IS NULL OR r.id > $1::uuid) ORDER BY r.id LIMIT $2`,
        [after, PAGE_SIZE],
      );
      if (rows.length === 0) break;
      for (const r of rows) {
        const ids = (r.exercise_ids as string[] | null) ?? [];
        const row: RoutineRow = {
          routine_id: String(r.routine_id),
          name: String(r.name),
          description: (r.description as string | null) ?? null,
          exercise_ids: ids.filter((id) => exportedIds.has(id)),
          created_at: String(r.created_at),
          updated_at: String(r.updated_at),
        };
        if (row.exercise_ids.length !== ids.length) {
          logger.warn({ routine: row.routine_id }, 'backup: routine refers to exercises added after they were copied; those entries are left out');
        }
        yield line({ type: 'routine', row });
        counts.routines++;
      }
      after = String(rows[rows.length - 1]!.routine_id);
      done += rows.length;
      opts.onProgress?.(done, total);
    }
    yield line({ type: 'end', counts });
  }

  const partial = `${file}.partial`;
  try {
    await pipeline(lines(), createGzip(), fs.createWriteStream(partial));
    // The rename must not publish an archive whose bytes are still only in the page cache.
    const handle = await fsp.open(partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(partial, file);
  } catch (error) {
    await fsp.rm(partial, { force: true });
    throw error;
  }
  const { size } = await fsp.stat(file);
  return { ...counts, bytes: size };
}

// ---------------------------------------------------------------------------------------------
// Restore

/**
 * Splits a byte stream into lines, pulling the next chunk only when the consumer asks for a
 * line. (readline's async iterator reads ahead without bound while the consumer awaits the
 * database, which with ~700 KB chunk lines means hundreds of MB.)
 */
async function* readLines(input: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const iterator = input[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } catch (error) {
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

function parseLine<S extends z.ZodType>(schema: S, text: string, lineNo: number): z.output<S> {
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

/** A file being received: always hashed, written to a hidden temp name only when a restored row needs it. */
interface IncomingFile {
  name: string;
  size: number;
  sha256: string;
  hash: Hash;
  received: number;
  /** Where it goes once the transaction commits. */
  final: string;
  temp: string | null;
  handle: fsp.FileHandle | null;
  /** The target already exists: its content must be the same. */
  compareWithExisting: boolean;
}

class Restorer {
  readonly summary: RestoreSummary = { exercises: 0, routines: 0, embeddings: 0, files: 0, skipped: 0, needsReindex: 0 };
  /** Temp files complete and verified, renamed into place after the commit. */
  readonly staged: { temp: string; final: string }[] = [];
  private header: Header | null = null;
  private ended = false;
  private lineNo = 0;
  private vectorsUsable = false;
  private readonly seen: Counts = { exercises: 0, routines: 0, embeddings: 0, files: 0 };
  // Bounded by the library's size in ids and names, not in rows or bytes.
  private readonly awaitingVector = new Set<string>();
  private readonly neededFiles = new Set<string>();
  private readonly fileNames = new Set<string>();
  /** Archive id -> id of the stored exercise with the same source key, for routine entries. */
  private readonly remap = new Map<string, string>();
  private pendingVectors: VectorItem[] = [];
  private file: IncomingFile | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly tx: Queryable,
  ) {}

  private fail(message: string): never {
    throw new ValidationError('file', `line ${this.lineNo}: ${message}`);
  }

  async accept(text: string): Promise<void> {
    this.lineNo++;
    if (this.ended) this.fail('data after the end record');
    if (!this.header) {
      this.readHeader(text);
      return;
    }
    const record = parseLine(recordSchema, text, this.lineNo);
    if (record.type === 'chunk') {
      await this.receiveChunk(record.data);
      return;
    }
    await this.finishFile();
    await this.apply(record);
  }

  private readHeader(text: string): void {
    const probe = parseLine(z.object({ format: z.unknown(), version: z.unknown() }), text, this.lineNo);
    if (probe.format !== BACKUP_FORMAT) this.fail(`not a ${BACKUP_FORMAT} archive`);
    if (probe.version !== BACKUP_VERSION) {
      this.fail(`archive version ${String(probe.version)} is not supported (this program reads version ${BACKUP_VERSION})`);
    }
    this.header = parseLine(headerSchema, text, this.lineNo);
    const status = this.ctx.index.status();
    const archived = this.header.embedding;
    this.vectorsUsable =
      archived !== null &&
      // An external store is filled by the outbox relay from the restored rows.
      this.ctx.index.consistency === 'transaction' &&
      status.available &&
      !status.needsReindex &&
      archived.model === this.ctx.embedder.model &&
      archived.dimensions === this.ctx.embedder.dimensions;
  }

  private async apply(record: Exclude<ArchiveRecord, { type: 'chunk' }>): Promise<void> {
    switch (record.type) {
      case 'exercise':
        this.seen.exercises++;
        return this.restoreExercise(record.row);
      case 'embedding':
        this.seen.embeddings++;
        return this.restoreVector(record.id, record.vector);
      case 'file':
        this.seen.files++;
        return this.openFile(record.name, record.size, record.sha256);
      case 'routine':
        this.seen.routines++;
        return this.restoreRoutine(record.row);
      case 'end':
        return this.finish(record.counts);
    }
  }

  private async restoreExercise(row: ExerciseRow): Promise<void> {
    let inserted;
    try {
      inserted = await restoreExerciseRows(this.tx, [row satisfies RestorableExercise]);
    } catch (error) {
      if (error instanceof ValidationError) this.fail(`exercise ${row.id}: ${error.message}`);
      throw error;
    }
    if (inserted.length === 0) {
      this.summary.skipped++;
      const [existing] = await this.tx.query<{ id: string }>(
        `SELECT id::text AS id FROM exercises
         WHERE id = $1 OR (normalized_url = $2 AND carousel_index = $3 AND lower(exercise_name) = lower($4))
         ORDER BY (id = $1) DESC LIMIT 1`,
        [row.id, row.normalized_url, row.carousel_index, row.exercise_name.trim()],
      );
      if (existing && existing.id !== row.id) this.remap.set(row.id, existing.id);
      return;
    }
    const stored = inserted[0]!;
    this.summary.exercises++;
    this.awaitingVector.add(stored.id);
    for (const name of ownedFileNames(this.ctx.config.clipsDir, stored)) this.neededFiles.add(name);
  }

  private async restoreVector(id: string, vector: number[]): Promise<void> {
    const archived = this.header!.embedding;
    if (!archived) this.fail('embedding record in an archive made without an embedding model');
    if (vector.length !== archived.dimensions) this.fail(`embedding ${id}: ${vector.length} dimensions, the header says ${archived.dimensions}`);
    if (!this.vectorsUsable || !this.awaitingVector.delete(id)) return;
    this.pendingVectors.push({ id, vector });
    if (this.pendingVectors.length >= VECTORS_PER_UPSERT) await this.flushVectors();
  }

  private async flushVectors(): Promise<void> {
    if (this.pendingVectors.length === 0) return;
    await this.ctx.index.upsert(this.pendingVectors, this.tx);
    this.summary.embeddings += this.pendingVectors.length;
    this.pendingVectors = [];
  }

  private async restoreRoutine(row: RoutineRow): Promise<void> {
    try {
      parseInput(routineInputSchema, { name: row.name, description: row.description, exercise_ids: row.exercise_ids });
    } catch (error) {
      if (error instanceof ValidationError) this.fail(`routine ${row.routine_id}: ${error.message}`);
      throw error;
    }
    const ids = row.exercise_ids.map((id) => this.remap.get(id) ?? id);
    const unique = [...new Set(ids)];
    const found = unique.length
      ? await this.tx.query<{ id: string }>('SELECT id::text AS id FROM exercises WHERE id = ANY($1::uuid[])', [unique])
      : [];
    const known = new Set(found.map((r) => r.id));
    const missing = unique.filter((id) => !known.has(id));
    if (missing.length) this.fail(`routine ${row.routine_id} refers to exercises neither in the archive nor stored: ${missing.join(', ')}`);
    const inserted = await this.tx.query(
      `INSERT INTO workout_routines (id, name, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [row.routine_id, row.name, row.description, row.created_at, row.updated_at],
    );
    if (!inserted[0]) {
      this.summary.skipped++;
      return;
    }
    if (ids.length) {
      await this.tx.query(
        `INSERT INTO routine_exercises (routine_id, position, exercise_id)
         SELECT $1, (ord - 1)::int, id FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord)`,
        [row.routine_id, ids],
      );
    }
    this.summary.routines++;
  }

  private async openFile(name: string, size: number, sha256: string): Promise<void> {
    const clipsDir = this.ctx.config.clipsDir;
    // The same rule rows are held to: a plain name, so nothing is ever written outside clipsDir.
    const final = clipFilePath(clipsDir, clipRelativePath(name));
    if (!final || path.resolve(path.dirname(final)) !== path.resolve(clipsDir)) this.fail(`unsafe file name ${JSON.stringify(name)}`);
    if (this.fileNames.has(name)) this.fail(`file ${name} appears twice`);
    this.fileNames.add(name);
    const file: IncomingFile = {
      name,
      size,
      sha256,
      hash: createHash('sha256'),
      received: 0,
      final,
      temp: null,
      handle: null,
      compareWithExisting: false,
    };
    this.file = file;
    // Files of rows that were skipped (already restored, or present under another id) stay as they are.
    if (!this.neededFiles.has(name)) return;
    if (await fileExists(final)) {
      file.compareWithExisting = true;
      return;
    }
    file.temp = path.join(clipsDir, `.restore-${randomBytes(6).toString('hex')}-${name}`);
    file.handle = await fsp.open(file.temp, 'wx');
  }

  private async receiveChunk(data: string): Promise<void> {
    const file = this.file;
    if (!file) this.fail('chunk outside a file');
    const buf = Buffer.from(data, 'base64');
    file.received += buf.length;
    if (file.received > file.size) this.fail(`file ${file.name} is longer than its declared ${file.size} bytes`);
    file.hash.update(buf);
    if (file.handle) await file.handle.write(buf);
  }

  /** Verifies the file that just ended; a mismatch fails the whole restore. */
  private async finishFile(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.file = null;
    if (file.handle) {
      await file.handle.close();
      file.handle = null;
    }
    if (file.temp) this.staged.push({ temp: file.temp, final: file.final });
    if (file.received !== file.size) this.fail(`file ${file.name} has ${file.received} bytes, ${file.size} declared`);
    if (file.hash.digest('hex') !== file.sha256) this.fail(`file ${file.name} does not match its checksum (the archive is corrupt)`);
    if (file.compareWithExisting && (await hashFile(file.final)).sha256 !== file.sha256) {
      throw new ConflictError(`clip file ${file.name} already exists in ${this.ctx.config.clipsDir} with different content`);
    }
  }

  private async finish(trailer: Counts): Promise<void> {
    for (const key of Object.keys(this.seen) as (keyof Counts)[]) {
      if (trailer[key] !== this.seen[key]) this.fail(`the end record counts ${trailer[key]} ${key}, the archive holds ${this.seen[key]}`);
    }
    await this.flushVectors();
    this.summary.needsReindex = this.awaitingVector.size;
    this.ended = true;
  }

  /** After the last line: an archive without its end record was cut short. */
  complete(): void {
    if (!this.header) throw new ValidationError('file', 'the archive is empty');
    if (!this.ended) throw new ValidationError('file', 'the archive is truncated (no end record)');
  }

  /** Removes every temp file: called when the restore fails, before or at the commit. */
  async discard(): Promise<void> {
    const open = this.file;
    this.file = null;
    if (open?.handle) await open.handle.close().catch(() => {});
    const temps = [...this.staged.map((s) => s.temp), ...(open?.temp ? [open.temp] : [])];
    await Promise.all(temps.map((t) => fsp.rm(t, { force: true })));
  }
}

/**
 * Loads an archive in one transaction: rows, routines and vectors commit together, and files
 * are moved from their hidden temp names to their own only after the commit. A corrupt,
 * truncated or tampered archive fails with a ValidationError on `file` and leaves nothing.
 */
export async function restoreBackup(ctx: AppContext, file: string, opts: Progress = {}): Promise<RestoreSummary> {
  let size: number;
  try {
    size = (await fsp.stat(file)).size;
  } catch (error) {
    throw new ValidationError('file', `cannot read ${file}: ${errorMessage(error)}`);
  }
  let restorer: Restorer | undefined;
  let summary: RestoreSummary;
  try {
    summary = await ctx.db.transaction(async (tx) => {
      restorer = new Restorer(ctx, tx);
      const input = fs.createReadStream(file);
      const gunzip = createGunzip();
      input.on('error', (error) => gunzip.destroy(error));
      input.pipe(gunzip);
      try {
        let reported = -1;
        for await (const text of readLines(gunzip)) {
          await restorer.accept(text);
          if (input.bytesRead !== reported) {
            reported = input.bytesRead;
            opts.onProgress?.(reported, size);
          }
        }
      } finally {
        input.destroy();
        gunzip.destroy();
      }
      restorer.complete();
      return restorer.summary;
    });
  } catch (error) {
    await restorer?.discard();
    throw error;
  }
  // The rows are committed: from here a failure leaves the hidden temp files for the operator
  // rather than deleting the only copy of a clip. A rename within one folder practically never fails.
  for (const { temp, final } of restorer!.staged) {
    try {
      await fsp.rename(temp, final);
    } catch (error) {
      throw new Error(`restored rows are committed but ${temp} could not be renamed to ${final}: ${errorMessage(error)}`, { cause: error });
    }
    summary.files++;
  }
  return summary;
}
