import type { Db, Queryable } from '../database/index.js';
import type { Exercise } from '../domain/index.js';
import { ownedClipFiles, stageRemoval, type FileRemoval } from '../database/clip-files.js';

/** The files removed rows own (named after their ids), as a transaction stages them for removal. */
export type StageClips = (rows: readonly Pick<Exercise, 'id' | 'video_path' | 'thumbnail_path'>[]) => Promise<void>;

/**
 * Runs `work` in a transaction that may delete rows owning clip files. The files `stage` names
 * are moved aside inside the transaction, removed after the commit and put back if it fails, so
 * neither a row without its file nor a file without its row can remain.
 */
export async function inTransactionRemovingClips<T>(
  db: Db,
  clipsDir: string,
  work: (tx: Queryable, stage: StageClips) => Promise<T>,
): Promise<T> {
  let removal: FileRemoval | undefined;
  const stage: StageClips = async (rows) => {
    removal = await stageRemoval(rows.flatMap((r) => ownedClipFiles(clipsDir, r)));
  };
  try {
    const result = await db.transaction(async (tx) => {
      // A retried transaction (deadlock, serialization failure) starts over: put back what the
      // failed attempt moved aside.
      await removal?.rollback();
      removal = undefined;
      return work(tx, stage);
    });
    await removal?.commit();
    return result;
  } catch (error) {
    await removal?.rollback();
    throw error;
  }
}
