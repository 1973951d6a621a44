import { outboxStats, type OutboxStats } from '../database/outbox.js';
import type { AppContext } from './context.js';

/**
 * Live checks behind the health routes: each dependency is asked, not assumed. A check that
 * does not answer within the timeout counts as down.
 */
export interface HealthReport {
  database: { ok: boolean; exercises: number; error: string | null };
  vector: { ok: boolean; reason: string | null; info: Awaited<ReturnType<AppContext['search']['getCollectionInfo']>> | null };
  ai: { configured: boolean; description: string };
  /** Changes waiting for the vector store (null when the database did not answer). */
  outbox: OutboxStats | null;
}

const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

export async function checkHealth(ctx: AppContext, options: { vector?: boolean } = {}): Promise<HealthReport> {
  const database: HealthReport['database'] = { ok: false, exercises: 0, error: null };
  try {
    const rows = await withTimeout(ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM exercises'), 'database');
    database.ok = true;
    database.exercises = Number(rows[0]?.n ?? 0);
  } catch (error) {
    database.error = (error as Error).message;
  }
  const vector: HealthReport['vector'] = { ok: false, reason: null, info: null };
  if (options.vector !== false) {
    const status = ctx.index.status();
    if (!status.available) vector.reason = status.reason ?? 'unavailable';
    else if (!database.ok) vector.reason = 'database unavailable';
    else {
      try {
        vector.info = await withTimeout(ctx.search.getCollectionInfo(), 'vector index');
        vector.ok = true;
        if (status.needsReindex) vector.reason = status.message ?? 'needs reindex';
      } catch (error) {
        vector.reason = (error as Error).message;
      }
    }
  }
  const outbox = database.ok ? await withTimeout(outboxStats(ctx.db), 'database').catch(() => null) : null;
  const { ai } = ctx.config;
  const configured = Boolean(ai.analysisModel && (ai.baseUrl || ai.apiKey));
  return {
    database,
    vector,
    outbox,
    ai: {
      configured,
      description: configured ? `analysis model ${ai.analysisModel}` : 'no AI model configured: offline analyzer and stories in use',
    },
  };
}
