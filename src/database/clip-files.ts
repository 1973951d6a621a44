import fs from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from './db.js';

/**
 * Clip and thumbnail files live in CLIPS_DIR; rows refer to them by the public relative path
 * `storage/clips/<file>`. Only plain file names are accepted, so a row can never point outside
 * the folder.
 */
export const CLIPS_URL_PREFIX = 'storage/clips/';

export function clipRelativePath(fileName: string): string {
  return `${CLIPS_URL_PREFIX}${fileName}`;
}

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether `name` is a file name a row may refer to (and so one the clip route serves). */
export function isClipFileName(name: string): boolean {
  return PLAIN_NAME.test(name) && !name.includes('..');
}

/** The absolute file for a stored relative path, or null when the path is not one of ours. */
export function clipFilePath(clipsDir: string, relativePath: string | null | undefined): string | null {
  if (!relativePath || !relativePath.startsWith(CLIPS_URL_PREFIX)) return null;
  const name = relativePath.slice(CLIPS_URL_PREFIX.length);
  if (!isClipFileName(name)) return null;
  return path.join(clipsDir, name);
}

/**
 * The paths of the clip and thumbnail an exercise owns: named after its id, never after input,
 * so that two rows can never own one file.
 */
export function ownClipPaths(id: string): { video_path: string; thumbnail_path: string } {
  return { video_path: clipRelativePath(`${id}.mp4`), thumbnail_path: clipRelativePath(`${id}.jpg`) };
}

type ClipRow = { id: string; video_path: string | null; thumbnail_path: string | null };

/**
 * The files in CLIPS_DIR a row owns: those of its paths that are its own (`ownClipPaths`). A
 * path into the folder under another name (written by an older version, or through the API) is
 * never treated as the row's, so deleting the row cannot remove another exercise's clip.
 */
export function ownedClipFiles(clipsDir: string, row: ClipRow): string[] {
  const own = ownClipPaths(row.id);
  return (
    [
      [row.video_path, own.video_path],
      [row.thumbnail_path, own.thumbnail_path],
    ] as const
  ).flatMap(([stored, expected]) => {
    const abs = stored === expected ? clipFilePath(clipsDir, stored) : null;
    return abs ? [abs] : [];
  });
}

/** The first path field of a row that points into CLIPS_DIR at a file that is not its own. */
export function foreignClipPath(row: ClipRow): 'video_path' | 'thumbnail_path' | null {
  const own = ownClipPaths(row.id);
  if (row.video_path?.startsWith(CLIPS_URL_PREFIX) && row.video_path !== own.video_path) return 'video_path';
  if (row.thumbnail_path?.startsWith(CLIPS_URL_PREFIX) && row.thumbnail_path !== own.thumbnail_path) return 'thumbnail_path';
  return null;
}

/** Every file name in CLIPS_DIR some row refers to, whether as its own or not. */
export async function referencedClipNames(db: Queryable): Promise<Set<string>> {
  const rows = await db.query<{ p: string }>(
    `SELECT video_path AS p FROM exercises WHERE video_path LIKE '${CLIPS_URL_PREFIX}%'
     UNION SELECT thumbnail_path FROM exercises WHERE thumbnail_path LIKE '${CLIPS_URL_PREFIX}%'`,
  );
  return new Set(rows.map((r) => r.p.slice(CLIPS_URL_PREFIX.length)));
}

/**
 * Hidden work files in CLIPS_DIR: `.<kind>-<pid>-<ms>-<rest>`, so that the sweep after a crash
 * can tell whose they were and since when. `deleting` files wait for their delete's commit;
 * `restore` folders hold a restore's files until its commit.
 */
export type WorkKind = 'deleting' | 'restore';

export function workFileName(kind: WorkKind, rest: string): string {
  return `.${kind}-${process.pid}-${Date.now()}-${rest}`;
}

export function parseWorkFileName(name: string): { kind: WorkKind; pid: number; at: number; rest: string } | null {
  const m = /^\.(deleting|restore)-(\d+)-(\d+)-(.+)$/.exec(name);
  return m ? { kind: m[1] as WorkKind, pid: Number(m[2]), at: Number(m[3]), rest: m[4]! } : null;
}

/** Work files of this process not yet settled: the sweep never touches them. */
const inFlight = new Set<string>();

export function isInFlight(file: string): boolean {
  return inFlight.has(file);
}

export function markInFlight(file: string): () => void {
  inFlight.add(file);
  return () => inFlight.delete(file);
}

/**
 * Moves files aside so a database transaction can decide their fate: `commit()` deletes them,
 * `rollback()` puts them back. Used by deletes, so that no outcome leaves a row pointing at a
 * missing file or a file without its row; after a crash in between, the start-up sweep decides.
 */
export interface FileRemoval {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export async function stageRemoval(files: readonly string[]): Promise<FileRemoval> {
  const moved: { from: string; to: string; settle: () => void }[] = [];
  const settleAll = () => {
    for (const m of moved.splice(0)) m.settle();
  };
  try {
    for (const file of files) {
      const to = path.join(path.dirname(file), workFileName('deleting', path.basename(file)));
      const settle = markInFlight(to);
      try {
        await fs.rename(file, to);
        moved.push({ from: file, to, settle });
      } catch (error) {
        settle();
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  } catch (error) {
    await Promise.all(moved.map((m) => fs.rename(m.to, m.from).catch(() => {})));
    settleAll();
    throw error;
  }
  return {
    async commit() {
      await Promise.all(moved.map((m) => fs.rm(m.to, { force: true })));
      settleAll();
    },
    async rollback() {
      await Promise.all(moved.map((m) => fs.rename(m.to, m.from).catch(() => {})));
      settleAll();
    },
  };
}
