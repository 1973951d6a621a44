import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { initDatabase, openDatabase, openLibraryMirror, runMigrations, type Db, type LibraryMirror, type MigrationResult } from '../database/index.js';
import { UnavailableError } from '../errors.js';
import { createEmbedder, type Embedder } from '../embeddings/index.js';
import type { FetchPolicy } from '../ingest/index.js';
import type { Worker } from '../jobs/index.js';
import { logger } from '../logger.js';
import { createOutboxRelay, createVectorIndex, type OutboxRelay, type VectorIndex } from '../vectors/index.js';

/**
 * Everything a use case needs, built once per process: configuration, the database, the
 * embedder, the vector index and the in-memory library. API, CLI and worker all start here.
 */
export interface AppContext {
  readonly config: Config;
  readonly db: Db;
  readonly embedder: Embedder;
  readonly index: VectorIndex;
  /** The library in memory, kept in step with every commit (embedded database only; null otherwise). */
  readonly mirror: LibraryMirror | null;
  /** Pushes outbox entries to an external vector store; started by `serve` and `worker` (startRelay). */
  readonly relay: OutboxRelay;
  /** The in-process worker, when this process runs one (woken when a job is queued here). */
  worker: Worker | null;
  /** Set at shutdown: long waits (synchronous /process) return early so requests can finish. */
  closing: boolean;
  /** DNS and address rules for the service's own fetches of user URLs; tests answer DNS with it. */
  fetchPolicy?: Pick<FetchPolicy, 'lookup' | 'isPrivate'>;
  close(): Promise<void>;
}

/**
 * Creates a folder and proves it takes a write, so that a full disk, a read-only mount or a path
 * through a regular file stops start-up with one line naming the setting, not a driver error.
 */
function ensureWritableDir(setting: string, dir: string): void {
  const probe = path.join(dir, `.write-test-${process.pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UnavailableError(`${setting}: cannot write to ${dir} (${code})`, { cause: error, retryable: false });
  }
}

/** Builds the context; `db` lets tests pass a database they opened (it is then closed with the context). */
export async function createContext(config: Config, options: { db?: Db } = {}): Promise<AppContext> {
  ensureWritableDir('DATA_DIR', config.dataDir);
  ensureWritableDir('CLIPS_DIR', config.clipsDir);
  ensureWritableDir('DATA_DIR', config.tempDir);
  const db = options.db ?? (await initDatabase(config));
  try {
    const embedder = createEmbedder(config, { db });
    // Learns the dimensions (a probe call for a remote model without EMBEDDING_DIMENSIONS).
    await embedder.init();
    const index = createVectorIndex(config, db, embedder);
    const status = await index.init();
    if (!status.available) logger.warn({ reason: status.reason }, 'vector index unavailable: search uses full text only');
    else if (status.needsReindex) logger.warn({ reason: status.message }, 'vector index needs `fitness-builder reindex`');
    // After the vector store's start-up, which may create (or drop) the table it reads vectors from.
    const mirror = await openLibraryMirror(db, { maxRows: config.libraryMirrorMaxRows });
    const { outboxBatchSize, outboxLeaseSeconds, outboxPollMs, qdrantTimeoutMs } = config.vectors;
    const relay = createOutboxRelay({
      db,
      index,
      embedder,
      batchSize: outboxBatchSize,
      leaseSeconds: outboxLeaseSeconds,
      pollMs: outboxPollMs,
      requestTimeoutMs: qdrantTimeoutMs,
    });
    return {
      config,
      db,
      embedder,
      index,
      mirror,
      relay,
      worker: null,
      closing: false,
      async close() {
        await relay.stop();
        mirror?.close();
        await db.close();
      },
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
