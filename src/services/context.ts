import fs from 'node:fs';
import type { Config } from '../config.js';
import { initDatabase, type Db } from '../database/index.js';
import { createEmbedder, type Embedder } from '../embeddings/index.js';
import type { Worker } from '../jobs/index.js';
import { logger } from '../logger.js';
import { createSearchService, type SearchService } from '../search/index.js';
import { createOutboxRelay, createVectorIndex, type OutboxRelay, type VectorIndex } from '../vectors/index.js';

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
  /** Pushes outbox entries to an external vector store; started by `serve` and `worker` (startRelay). */
  readonly relay: OutboxRelay;
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
    const index = createVectorIndex(config, db, embedder);
    const search = createSearchService({ db, embedder, index });
    const status = await search.initVectorStore();
    if (!status.available) logger.warn({ reason: status.reason }, 'vector index unavailable: search uses full text only');
    else if (status.needsReindex) logger.warn({ reason: status.message }, 'vector index needs `fitness-builder reindex`');
    const { outboxBatchSize, outboxLeaseSeconds, outboxPollMs } = config.vectors;
    const relay = createOutboxRelay({ db, index, embedder, batchSize: outboxBatchSize, leaseSeconds: outboxLeaseSeconds, pollMs: outboxPollMs });
    return {
      config,
      db,
      embedder,
      index,
      search,
      relay,
      worker: null,
      closing: false,
      async close() {
        await relay.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
