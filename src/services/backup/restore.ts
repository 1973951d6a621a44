import { createHash, randomBytes, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { findStoredExerciseId } from '../../database/backup.js';
import { clipFilePath, clipRelativePath, foreignClipPath, markInFlight, ownClipPaths, workFileName } from '../../database/clip-files.js';
import type { Queryable } from '../../database/db.js';
import { restoreExerciseRows } from '../../database/exercises.js';
import { restoreWorkoutRoutine } from '../../database/routines.js';
import { routineInputSchema } from '../../database/validate.js';
import { ConflictError, errorMessage, parseInput, UnavailableError, ValidationError } from '../../errors.js';
import type { VectorItem } from '../../vectors/types.js';
import type { AppContext } from '../context.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  headerSchema,
  parseLine,
  readLines,
  recordSchema,
  type ArchiveRecord,
  type Counts,
  type ExerciseRow,
  type Header,
  type RestoreSummary,
  type RoutineRow,
} from './archive.js';
import type { Progress } from './create.js';
import { fileExists, hashFile, ownedFileNames } from './files.js';

const VECTORS_PER_UPSERT = 200;

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
  readonly staged: { temp: string; final: string; size: number }[] = [];
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
  /** What the files declared so far expand to in the archive (base64). */
  private declaredBytes = 0;
  /** This restore's own hidden folder in CLIPS_DIR (created with the first file written). */
  private staging: string | null = null;
  private settleStaging: (() => void) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly tx: Queryable,
  ) {}

  private async stagingDir(): Promise<string> {
    if (!this.staging) {
      const dir = path.join(this.ctx.config.clipsDir, workFileName('restore', randomBytes(6).toString('hex')));
      this.settleStaging = markInFlight(dir);
      await fsp.mkdir(dir);
      this.staging = dir;
    }
    return this.staging;
  }

  /** Removes the staging folder once its files are moved out (or the restore failed). */
  async removeStaging(): Promise<void> {
    if (this.staging) await fsp.rm(this.staging, { recursive: true, force: true });
    this.settleStaging?.();
    this.staging = null;
  }

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
    // A row naming another exercise's file would have that file removed with it later.
    const foreign = foreignClipPath(row);
    if (foreign) this.fail(`exercise ${row.id}: ${foreign} must be ${ownClipPaths(row.id)[foreign]} (a clip is named after its exercise's id)`);
    let inserted;
    try {
      inserted = await restoreExerciseRows(this.tx, [row]);
    } catch (error) {
      if (error instanceof ValidationError) this.fail(`exercise ${row.id}: ${error.message}`);
      throw error;
    }
    if (inserted.length === 0) {
      this.summary.skipped++;
      const existing = await findStoredExerciseId(this.tx, row);
      if (existing && existing !== row.id) this.remap.set(row.id, existing);
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
    let stored: boolean;
    try {
      stored = await restoreWorkoutRoutine(this.tx, { ...row, exercise_ids: row.exercise_ids.map((id) => this.remap.get(id) ?? id) });
    } catch (error) {
      // Entries that are neither in the archive nor stored.
      if (error instanceof ValidationError) this.fail(`routine ${row.routine_id}: ${error.message}`);
      throw error;
    }
    if (stored) this.summary.routines++;
    else this.summary.skipped++;
  }

  private async openFile(name: string, size: number, sha256: string): Promise<void> {
    const clipsDir = this.ctx.config.clipsDir;
    // The same rule rows are held to: a plain name, so nothing is ever written outside clipsDir.
    const final = clipFilePath(clipsDir, clipRelativePath(name));
    if (!final || path.resolve(path.dirname(final)) !== path.resolve(clipsDir)) this.fail(`unsafe file name ${JSON.stringify(name)}`);
    if (this.fileNames.has(name)) this.fail(`file ${name} appears twice`);
    this.fileNames.add(name);
    // Sizes are checked before a byte is written; the bytes then never pass what was declared.
    this.declaredBytes += Math.ceil(size / 3) * 4;
    const max = this.ctx.config.restoreMaxBytes;
    if (this.declaredBytes > max) {
      this.fail(`file ${name}: the archive's files expand beyond RESTORE_MAX_MB (${Math.floor(max / 1024 / 1024)} MB)`);
    }
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
    await this.assertRoomFor(name, size);
    file.temp = path.join(await this.stagingDir(), name);
    file.handle = await fsp.open(file.temp, 'wx');
  }

  /** What the file declares must fit next to MIN_FREE_DISK_MB, counting the files staged so far. */
  private async assertRoomFor(name: string, size: number): Promise<void> {
    const stats = await fsp.statfs(this.ctx.config.clipsDir);
    const staged = this.staged.reduce((sum, s) => sum + s.size, 0);
    const free = stats.bavail * stats.bsize - staged - this.ctx.config.minFreeDiskMb * 1024 * 1024;
    if (size > free) {
      throw new UnavailableError(`not enough free space in CLIPS_DIR for ${name} (${size} bytes; MIN_FREE_DISK_MB ${this.ctx.config.minFreeDiskMb} is kept free)`, {
        retryable: false,
      });
    }
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
    if (file.temp) this.staged.push({ temp: file.temp, final: file.final, size: file.size });
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
    await this.removeStaging();
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
        for await (const text of readLines(capExpanded(gunzip, ctx.config.restoreMaxBytes))) {
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
  await restorer!.removeStaging();
  return summary;
}

/** The decompressed stream, refused once it passes `max` bytes (a small archive can expand a thousandfold). */
async function* capExpanded(input: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of input) {
    total += chunk.length;
    if (total > max) throw new ValidationError('file', `the archive expands beyond RESTORE_MAX_MB (${Math.floor(max / 1024 / 1024)} MB)`);
    yield chunk;
  }
}
