import { exerciseIdPage } from '../database/exercises.js';
import { disableOutboxCapture, enqueueOutbox, outboxStats, type OutboxStats } from '../database/outbox.js';
import { UnavailableError } from '../errors.js';
import { createSearchService, type ReindexProgress } from '../search/index.js';
import { createVectorIndex, type VectorIndex, type VectorStoreKind } from '../vectors/index.js';
import type { AppContext } from './context.js';
export type { VectorStoreKind };

/**
 * Reconciling PostgreSQL with the vector store: `verify` compares ids, model and dimensions and
 * reports the drift; `repair` queues what differs through the outbox (or writes it directly for
 * pgvector); `moveVectorStore` fills another store from the rows and switches the outbox.
 */
export interface VectorDrift {
  store: VectorStoreKind;
  rows: number;
  vectors: number;
  /** Rows without a vector in the store. */
  missing: string[];
  /** Vectors whose row is gone. */
  extra: string[];
  /** Vectors made by another model than the configured one. */
  otherModel: string[];
  /** The collection's model or dimensions differ from the embedder's (a reindex rebuilds it). */
  mismatch: string | null;
  /** Outbox entries still waiting: drift they explain disappears once the relay drains. */
  outboxPending: number;
  drift: number;
}

const PAGE = 1000;

async function allRowIds(ctx: AppContext): Promise<Set<string>> {
  const ids = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page = await exerciseIdPage(ctx.db, after, PAGE);
    page.forEach((id) => ids.add(id));
    if (page.length < PAGE) return ids;
    after = page[page.length - 1]!;
  }
}

export async function verifyVectors(ctx: AppContext, index: VectorIndex = ctx.index): Promise<VectorDrift> {
  let status = index.status();
  if (!status.available) status = await index.init();
  if (!status.available) throw new UnavailableError(status.reason);
  const rows = await allRowIds(ctx);
  const outboxPending = (await outboxStats(ctx.db)).pending;
  const base = { store: index.backend, rows: rows.size, outboxPending };
  if (status.needsReindex) {
    const missing = [...rows];
    return { ...base, vectors: 0, missing, extra: [], otherModel: [], mismatch: status.message ?? 'needs reindex', drift: missing.length + 1 };
  }
  const stored = new Set<string>();
  const otherModel: string[] = [];
  let after: string | undefined;
  do {
    const page = await index.stored(PAGE, after);
    page.ids.forEach((id) => stored.add(id));
    otherModel.push(...page.otherModel);
    after = page.next;
  } while (after !== undefined);
  const missing = [...rows].filter((id) => !stored.has(id));
  const extra = [...stored].filter((id) => !rows.has(id));
  return { ...base, vectors: stored.size, missing, extra, otherModel, mismatch: null, drift: missing.length + extra.length + otherModel.length };
}

/** Fixes what `verify` finds; returns the drift found before repairing. */
export async function repairVectors(ctx: AppContext, options: { timeoutMs?: number } = {}): Promise<VectorDrift> {
  const drift = await verifyVectors(ctx);
  if (drift.mismatch) {
    await ctx.search.reindex();
  } else if (ctx.index.consistency === 'outbox') {
    await enqueueOutbox(ctx.db, [...drift.missing, ...drift.otherModel], 'upsert');
    await enqueueOutbox(ctx.db, drift.extra, 'delete');
  } else {
    await ctx.index.delete(drift.extra);
    await ctx.search.reindex();
  }
  if (ctx.index.consistency === 'outbox') await ctx.relay.drain(options.timeoutMs ?? 600_000);
  return drift;
}

/**
 * Fills `to` with a vector for every row (re-embedding through the cache) and records it as the
 * store the outbox serves: moving to Qdrant starts capturing writes before the copy, so nothing
 * written meanwhile is missed; moving to pgvector stops capturing after it.
 */
export async function moveVectorStore(
  ctx: AppContext,
  to: VectorStoreKind,
  options: { onProgress?: (p: ReindexProgress) => void } = {},
): Promise<{ store: VectorStoreKind; embedded: number }> {
  const target = to === ctx.index.backend ? ctx.index : createVectorIndex(ctx.config, ctx.db, ctx.embedder, to);
  const status = await target.init();
  if (!status.available) throw new UnavailableError(status.reason);
  const search = createSearchService({ db: ctx.db, embedder: ctx.embedder, index: target });
  const result = await search.reindex(options.onProgress ? { onProgress: options.onProgress } : {});
  if (to === 'pgvector') await disableOutboxCapture(ctx.db);
  return { store: to, embedded: result.embedded };
}

/** The outbox backlog, or null when the database cannot say (unknown, never reported as zero). */
export function vectorOutboxStats(ctx: AppContext): Promise<OutboxStats | null> {
  return outboxStats(ctx.db).catch(() => null);
}
