import fs from 'node:fs';
import type { Config } from '../config.js';
import { initDatabase, openDatabase, runMigrations, type Db, type MigrationResult } from '../database/index.js';
import { createEmbedder, type Embedder } from '../embeddings/index.js';
import type { Worker } from '../jobs/index.js';
import { logger } from '../logger.js';
import { createSearchService, type SearchService } from '../search/index.js';
import { createPgvectorIndex, type VectorIndex } from '../vectors/index.js';

/**
 * Everything a use case needs, built once per process: configuration, the database, the
 * embedder, the vector index and the search service. API, CLI and worker all start here.
 */
export interface AppContext {
  readonly config: Config;
  readonly db: Db;
  readonly embedder: Embedder;
  readonly index: VectorIndex;
  readonly search: SearchService;
  /** The in-process worker, when this process runs one (woken when a job is queued here). */
  worker: Worker | null;
  /** Set at shutdown: long waits (synchronous /process) return early so requests can finish. */
  closing: boolean;
  close(): Promise<void>;
}

/** Builds the context; `db` lets tests pass a database they opened (it is then closed with the context). */
export async function createContext(config: Config, options: { db?: Db } = {}): Promise<AppContext> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.mkdirSync(config.clipsDir, { recursive: true });
  fs.mkdirSync(config.tempDir, { recursive: true });
  const db = options.db ?? (await initDatabase(config));
  try {
    const embedder = createEmbedder(config, { db });
    // Learns the dimensions (a probe call for a remote model without EMBEDDING_DIMENSIONS).
    await embedder.init();
    const index = createPgvectorIndex({ db, model: embedder.model, dimensions: embedder.dimensions });
    const search = createSearchService({ db, embedder, index });
    const status = await search.initVectorStore();
    if (!status.available) logger.warn({ reason: status.reason }, 'vector index unavailable: search uses full text only');
    else if (status.needsReindex) logger.warn({ reason: status.message }, 'vector index needs `fitness-builder reindex`');
    return {
      config,
      db,
      embedder,
      index,
      search,
      worker: null,
      closing: false,
      close: () => db.close(),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Applies pending migrations and closes the database again (the `migrate` command). */
export async function migrateDatabase(config: Config): Promise<MigrationResult> {
  const db = await openDatabase(config);
  try {
    return await runMigrations(db);
  } finally {
    await db.close();
  }
}
