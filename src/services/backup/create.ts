import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { countLibrary, exportExercisePage } from '../../database/backup.js';
import { exportRoutinePage } from '../../database/routines.js';
import { logger } from '../../logger.js';
import { VERSION } from '../../version.js';
import type { AppContext } from '../context.js';
import { BACKUP_FORMAT, BACKUP_VERSION, line, type BackupSummary, type Counts, type Header, type RoutineRow } from './archive.js';
import { fileExists, fileLines, ownedFileNames } from './files.js';

const PAGE_SIZE = 200;

export type Progress = { onProgress?: (done: number, total: number) => void };

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
  const totals = await countLibrary(db);
  const total = totals.exercises + totals.routines;
  const counts: Counts = { exercises: 0, routines: 0, embeddings: 0, files: 0 };
  // Ids and names only (tens of bytes each): needed to keep routines consistent and files unique.
  const exportedIds = new Set<string>();
  const exportedFiles = new Set<string>();
  let done = 0;

  async function* lines(): AsyncGenerator<string> {
    yield line(header);
    let after: string | null = null;
    for (;;) {
      const page = await exportExercisePage(db, after, PAGE_SIZE);
      if (page.length === 0) break;
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
      const rows = await exportRoutinePage(db, after, PAGE_SIZE);
      if (rows.length === 0) break;
      for (const r of rows) {
        const row: RoutineRow = { ...r, exercise_ids: r.exercise_ids.filter((id) => exportedIds.has(id)) };
        if (row.exercise_ids.length !== r.exercise_ids.length) {
          logger.warn({ routine: row.routine_id }, 'backup: routine refers to exercises added after they were copied; those entries are left out');
        }
        yield line({ type: 'routine', row });
        counts.routines++;
      }
      after = rows[rows.length - 1]!.routine_id;
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
