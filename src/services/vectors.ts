import type { Db, Queryable } from '../database/db.js';
import { countExercises, exerciseIdPage, getExercisesByIds } from '../database/exercises.js';
import { disableOutboxCapture, enqueueOutbox, outboxStats, type OutboxStats } from '../database/outbox.js';
import type { Embedder } from '../embeddings/types.js';
import { UnavailableError } from '../errors.js';
import { buildExerciseChunk } from '../language/chunk.js';
import { createVectorIndex, type CollectionInfo, type VectorIndex, type VectorIndexStatus, type VectorStoreKind } from '../vectors/index.js';
import type { AppContext } from './context.js';
export type { VectorStoreKind };

/** What the vector operations need: the rows, the embedder and the store they fill. */
export interface VectorContext {
  readonly db: Db;
  readonly embedder: Embedder;
  readonly index: VectorIndex;
}

export interface ReindexProgress {
  done: number;
  /** Rows without a vector when the pass started (rows added meanwhile are picked up too). */
  total: number;
}

export interface ReindexResult {
  embedded: number;
  model: string;
  /** True when the index was rebuilt for a new model or dimension first. */
  reset: boolean;
}

/** Why search by meaning cannot run on this store now, or undefined when it can. */
export function unavailableReason(status: VectorIndexStatus): string | undefined {
  if (!status.available) return status.reason;
  if (status.needsReindex) return status.message ?? 'The vector index needs a reindex.';
  return undefined;
}

/** Refuses, naming why, when the store cannot take part in search by meaning. */
export function requireIndex(index: VectorIndex): void {
  const reason = unavailableReason(index.status());
  if (reason) throw new UnavailableError(`Search by meaning is unavailable: ${reason}`, { retryable: false });
}

type ChunkRow = Parameters<typeof buildExerciseChunk>[0] & { id: string };

/** Learns the embedder's dimensions, then opens (or creates) the store for them. */
export async function initVectorStore(ctx: VectorContext): Promise<VectorIndexStatus> {
  await ctx.embedder.init();
  return ctx.index.init();
}

export function getCollectionInfo(ctx: VectorContext): Promise<CollectionInfo> {
  return ctx.index.info();
}

/** Embeds rows and writes their vectors, in `tx` when given (pgvector commits them with the rows). */
export async function storeEmbedding(ctx: VectorContext, exercises: ChunkRow | readonly ChunkRow[], tx?: Queryable): Promise<void> {
  const list: readonly ChunkRow[] = Array.isArray(exercises) ? exercises : [exercises as ChunkRow];
  if (list.length === 0) return;
  requireIndex(ctx.index);
  const vectors = await ctx.embedder.embed(list.map(buildExerciseChunk), 'document');
  await ctx.index.upsert(
    list.map((e, i) => ({ id: e.id, vector: vectors[i]! })),
    tx,
  );
}

export async function deleteEmbedding(ctx: VectorContext, id: string, tx?: Queryable): Promise<void> {
  await ctx.index.delete([id], tx);
}

/**
 * Embeds every row the store has no vector for (resumable: a rerun picks up what is still
 * missing); a store made for another model or dimension is rebuilt first.
 */
export async function reindex(
  ctx: VectorContext,
  options: { batchSize?: number; onProgress?: (p: ReindexProgress) => void } = {},
): Promise<ReindexResult> {
  const { db, index, embedder } = ctx;
  const batchSize = options.batchSize ?? db.writeBatchSize;
  let status = index.status();
  if (!status.available) status = await index.init();
  if (!status.available) throw new UnavailableError(status.reason, { retryable: false });
  const reset = status.needsReindex;
  if (reset) await index.reset();
  const rows = await countExercises(db);
  const total = Math.max(0, rows - (await index.info()).vectors_count);
  let done = 0;
  let after: string | undefined;
  for (;;) {
    const ids = await index.missing(batchSize, after);
    if (ids.length === 0) break;
    after = ids[ids.length - 1];
    const batch = await getExercisesByIds(db, ids);
    // One transaction per batch: a crash loses at most the batch in flight, and the next
    // run picks up from what is still missing.
    if (index.consistency === 'outbox') await storeEmbedding(ctx, batch);
    else await db.transaction((tx) => storeEmbedding(ctx, batch, tx));
    done += batch.length;
    options.onProgress?.({ done, total: Math.max(done, total) });
  }
  return { embedded: done, model: embedder.model, reset };
}

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
    await reindex(ctx);
  } else if (ctx.index.consistency === 'outbox') {
    await enqueueOutbox(ctx.db, [...drift.missing, ...drift.otherModel], 'upsert');
    await enqueueOutbox(ctx.db, drift.extra, 'delete');
  } else {
    await ctx.index.delete(drift.extra);
    await reindex(ctx);
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
  const result = await reindex({ db: ctx.db, embedder: ctx.embedder, index: target }, options.onProgress ? { onProgress: options.onProgress } : {});
  if (to === 'pgvector') await disableOutboxCapture(ctx.db);
  return { store: to, embedded: result.embedded };
}

/** The outbox backlog, or null when the database cannot say (unknown, never reported as zero). */
export function vectorOutboxStats(ctx: AppContext): Promise<OutboxStats | null> {
  return outboxStats(ctx.db).catch(() => null);
}
