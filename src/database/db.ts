import pg from 'pg';
import { UnavailableError } from '../errors.js';
import { logger } from '../logger.js';

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
   * PGlite serialises transactions (a query waits while one holds the session), a server does not.
   */
  readonly writeBatchSize: number;
  /**
   * Embedded only: `handler` gets each payload sent on `channel` by pg_notify, at commit, before
   * the promise of the write that committed settles (a rolled-back write sends nothing).
   */
  listen?(channel: string, handler: (payload: string) => void): Promise<void>;
  /** Embedded only: settles when the database thread answers, even while a transaction holds the session. */
  ping?(): Promise<void>;
  /** Embedded only: whether a transaction holds (or waits for) the one session, so a query now would wait. */
  busy?(): boolean;
  /** Runs `fn` in one transaction; any throw rolls everything back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
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
