/**
 * The database part: one seam (`Db`) over embedded PGlite and a PostgreSQL server, versioned
 * migrations, and the exercise and routine stores. Stores take a `Queryable` (the database or
 * an open transaction) as their first argument, validate their input and throw typed errors.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { logger, redactUrl } from '../logger.js';
import { openPostgres, type Db } from './db.js';
import { openPglite } from './pglite.js';
import { runMigrations } from './migrate.js';

export type { Db, Queryable } from './db.js';
export * from './types.js';
export * from './exercises.js';
export * from './routines.js';
export { runMigrations, loadMigrations, type MigrationResult } from './migrate.js';
export { clipFilePath, clipRelativePath, CLIPS_URL_PREFIX, ownClipPaths } from './clip-files.js';
export { countLibrary } from './backup.js';
export { readExerciseById, readExercisesByIds, readExercisesByUrl } from './mirror-reads.js';
export { openLibraryMirror, type LibraryMirror, type MirrorSnapshot } from './mirror.js';
export type { LibrarySnapshot, SnapshotRow } from './snapshot.js';

/** Opens the configured database: a server when DATABASE_URL is set, else PGlite under DATA_DIR. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>): Promise<Db> {
  if (config.databaseUrl) {
    logger.info({ database: redactUrl(config.databaseUrl) }, 'connecting to PostgreSQL');
    return openPostgres({ url: config.databaseUrl, poolSize: config.databasePoolSize });
  }
  const dataDir = path.join(config.dataDir, 'db');
  logger.info({ dataDir }, 'opening embedded PGlite database');
  return openPglite({ dataDir });
}

/** Opens the database and brings its schema up to date. */
export async function initDatabase(config: Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>): Promise<Db> {
  const db = await openDatabase(config);
  try {
    const result = await runMigrations(db);
    if (result.applied.length) {
      logger.info({ applied: result.applied.map((m) => `${m.version}_${m.name}`) }, 'applied migrations');
    }
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
export * from './routine-entries.js';
export * from './workouts.js';
export * from './history.js';
