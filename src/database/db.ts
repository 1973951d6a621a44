import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import { UnavailableError } from '../errors.js';
import { logger } from '../logger.js';
import { acquireDirLock, type DirLock } from './lock.js';

/**
 * The one database seam. PGlite (embedded) and node-postgres (server) both satisfy it, so every
 * store runs, and is tested, on both. Stores only ever see `Queryable`.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations, DDL). */
  exec(text: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Rows per transaction that keep a long write (import, reindex) from starving other work:
   * PGlite runs every query on the event loop and serialises transactions, a server does neither.
   */
  readonly writeBatchSize: number;
  /** Runs `fn` in one transaction; any throw rolls everything back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PgliteOptions {
  /** A folder, or undefined for an in-memory database (tests). */
  dataDir: string | undefined;
}

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** Used by tests to give each run its own schema. */
  searchPath?: string;
}

/** Maps a driver failure to "the database is down" when it is a connection problem. */
function wrapConnectionError(error: unknown): unknown {
  const code = (error as { code?: string } | null)?.code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '08006', '08001', '08003'].includes(code)) {
    return new UnavailableError(`Database unavailable: ${(error as Error).message}`, { cause: error });
  }
  if (error instanceof Error && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message)) {
    return new UnavailableError(`Database unavailable: ${error.message}`, { cause: error });
  }
  return error;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function openPglite(options: PgliteOptions): Promise<Db> {
  let lock: DirLock | undefined;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    // PGlite does not lock its folder; two processes on one folder silently lose writes.
    lock = acquireDirLock(options.dataDir);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(options.dataDir ? path.join(options.dataDir, 'pgdata') : undefined, {
      extensions: { vector },
    });
  } catch (error) {
    lock?.release();
    // PGlite's file system errors are plain objects ({errno}); say what and where in one line.
    const errno = (error as { errno?: number; code?: string } | null)?.code ?? (error as { errno?: number } | null)?.errno;
    throw new UnavailableError(
      `DATA_DIR: the embedded database in ${options.dataDir ?? 'memory'} cannot be opened or created (${error instanceof Error ? error.message : `file system error ${errno ?? ''}`.trim()}); check free space and permissions`,
      { cause: error, retryable: false },
    );
  }
  return wrapPglite(pglite, () => lock?.release());
}

/**
 * The seam over an open PGlite instance (benches open their own to bulk-load with COPY).
 * `onClose` runs after the database closes (releasing the folder lock).
 */
export function wrapPglite(pglite: PGlite, onClose: () => void = () => {}): Db {
  const run = async <T>(q: Pick<PGlite, 'query'>, text: string, params?: readonly unknown[]): Promise<T[]> => {
    const result = await q.query<T>(text, params as unknown[] | undefined);
    // PGlite answers through promise callbacks only, so a loop of queries would never let the
    // event loop take a turn: HTTP requests, timers and lease renewals would wait for the whole
    // loop. One macrotask turn after each query keeps the process responsive.
    await yieldToEventLoop();
    return result.rows;
  };
  let closed = false;
  return {
    kind: 'pglite',
    writeBatchSize: 16,
    query: (text, params) => {
      if (closed) return Promise.reject(new UnavailableError('Database is closed'));
      return run(pglite, text, params);
    },
    exec: async (text) => {
      await pglite.exec(text);
    },
    transaction: (fn) =>
      pglite.transaction((tx) =>
        fn({
          query: (text, params) => run(tx, text, params),
          exec: async (text) => {
            await tx.exec(text);
          },
        }),
      ),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        onClose();
      }
    },
  };
}

/** A transaction PostgreSQL aborted to break a deadlock or a serialization conflict is safe to rerun. */
const TRANSIENT_CONFLICTS = new Set(['40001', '40P01']);
export const MAX_TRANSACTION_ATTEMPTS = 5;

export function isTransientConflict(error: unknown): boolean {
  // Stores may wrap the driver's error (keeping it as the cause).
  for (let e = error, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CONFLICTS.has(code)) return true;
  }
  return false;
}

/** Exponential backoff with full jitter, so the transactions that collided do not collide again. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(random() * 20 * 2 ** (attempt - 1));
}

// node-postgres parses int8 and numeric as strings; we cast counts to int in SQL and parse
// numeric columns in the row mappers, so the two drivers return the same shapes.
export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 10_000,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn({ err }, 'an idle PostgreSQL connection failed'));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw wrapConnectionError(error);
  }
  const query = async <T>(q: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]): Promise<T[]> => {
    try {
      const result = await q.query(text, params as unknown[] | undefined);
      return result.rows as T[];
    } catch (error) {
      throw wrapConnectionError(error);
    }
  };
  return {
    kind: 'postgres',
    writeBatchSize: 200,
    query: (text, params) => query(pool, text, params),
    exec: async (text) => {
      await query(pool, text);
    },
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await runTransaction(fn);
        } catch (error) {
          if (!isTransientConflict(error) || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
        }
      }
    },
    close: () => pool.end(),
  };

  async function runTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw wrapConnectionError(error);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn({
        query: (text, params) => query(client, text, params),
        exec: async (text) => {
          await query(client, text);
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw wrapConnectionError(error);
    } finally {
      client.release(broken);
    }
  }
}
