import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Clip and thumbnail files live in CLIPS_DIR; rows refer to them by the public relative path
 * `storage/clips/<file>`. Only plain file names are accepted, so a row can never point outside
 * the folder.
 */
export const CLIPS_URL_PREFIX = 'storage/clips/';

export function clipRelativePath(fileName: string): string {
  return `${CLIPS_URL_PREFIX}${fileName}`;
}

/** The absolute file for a stored relative path, or null when the path is not one of ours. */
export function clipFilePath(clipsDir: string, relativePath: string | null | undefined): string | null {
  if (!relativePath || !relativePath.startsWith(CLIPS_URL_PREFIX)) return null;
  const name = relativePath.slice(CLIPS_URL_PREFIX.length);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes('..')) return null;
  return path.join(clipsDir, name);
}

/**
 * Moves files aside so a database transaction can decide their fate: `commit()` deletes them,
 * `rollback()` puts them back. Used by deletes, so that no outcome leaves a row pointing at a
 * missing file or a file without its row.
 */
export interface FileRemoval {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export async function stageRemoval(files: readonly string[]): Promise<FileRemoval> {
  const moved: { from: string; to: string }[] = [];
  try {
    for (const file of files) {
      const to = path.join(path.dirname(file), `.deleting-${process.pid}-${Date.now()}-${path.basename(file)}`);
      try {
        await fs.rename(file, to);
        moved.push({ from: file, to });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  } catch (error) {
    await Promise.all(moved.map((m) => fs.rename(m.to, m.from).catch(() => {})));
    throw error;
  }
  return {
    async commit() {
      await Promise.all(moved.map((m) => fs.rm(m.to, { force: true })));
    },
    async rollback() {
      await Promise.all(moved.map((m) => fs.rename(m.to, m.from).catch(() => {})));
    },
  };
}
