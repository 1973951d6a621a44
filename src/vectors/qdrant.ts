import { QdrantClient } from '@qdrant/js-client-rest';
import type { Db } from '../database/db.js';
import { getExercisesByIds } from '../database/exercises.js';
import { buildExerciseFilter } from '../database/filters.js';
import { enableOutboxCapture } from '../database/outbox.js';
import type { ExerciseFilters } from '../database/types.js';
import { filtersSchema } from '../database/validate.js';
import { isUuid } from '../domain/index.js';
import { errorMessage, parseInput, UnavailableError, ValidationError } from '../errors.js';
import { logger } from '../logger.js';
import { efSearchFor } from './pgvector-plan.js';
import { exercisePayload, PAYLOAD_INDEXES, toQdrantFilter } from './qdrant-filter.js';
import type { CollectionInfo, StoredPage, VectorHit, VectorIndex, VectorIndexStatus, VectorItem, VectorSearchOptions } from './types.js';

/**
 * Qdrant backend: one point per exercise (point id = exercise id), cosine distance, the filter
 * fields as payload with a payload index each, the embedder's model and size in the collection's
 * metadata. Rows reach it through the outbox (consistency `outbox`), never inside a transaction.
 */
export interface QdrantOptions {
  db: Db;
  url: string;
  apiKey?: string | undefined;
  collection: string;
  model: string;
  dimensions: number;
  /** Per request; kept well under the relay's lease so a stalled push cannot land after a newer one. */
  timeoutMs?: number;
}

const RETRY_INIT_MS = 5000;

/** Connection failures, timeouts, 429 and 5xx mean "the store is down": callers degrade or retry. */
export function asStoreError(error: unknown, what: string): Error {
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status < 500 && status !== 429) return new Error(`Qdrant ${what} failed: ${errorMessage(error)}`, { cause: error });
  return new UnavailableError(`Qdrant unavailable (${what}): ${errorMessage(error)}`, { cause: error, retryable: true });
}

export function createQdrantIndex(options: QdrantOptions): VectorIndex {
  const { db, collection, model, dimensions } = options;
  const client = new QdrantClient({
    url: options.url,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    timeout: options.timeoutMs ?? 10_000,
    checkCompatibility: false,
  });
  let state: VectorIndexStatus = { available: false, reason: 'The vector index is not initialised (init() was not called).' };
  let lastInit = 0;
  let initRunning: Promise<VectorIndexStatus> | null = null;

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        // The collection went away under us (deleted, or Qdrant restarted on empty storage): the
        // index is down, not the request wrong, so search degrades to full text and the next
        // status() check (after RETRY_INIT_MS) recreates it.
        state = { available: false, reason: `The Qdrant collection ${collection} is missing (deleted, or Qdrant restarted on empty storage)` };
        throw new UnavailableError(state.reason, { cause: error, retryable: true });
      }
      throw asStoreError(error, what);
    }
  }

  function requireReady(): void {
    if (!state.available) throw new UnavailableError(state.reason, { retryable: true });
    if (state.needsReindex) throw new UnavailableError(state.message ?? 'The vector index needs a reindex.', { retryable: false });
  }

  async function createCollection(): Promise<void> {
    try {
      // Through the raw API: the client's createCollection drops `metadata` (1.16.2).
      await client.api().createCollection({
        collection_name: collection,
        vectors: { size: dimensions, distance: 'Cosine' },
        metadata: { model, dimensions },
      });
    } catch (error) {
      // Another process created it first.
      if ((error as { status?: number }).status !== 409) throw error;
    }
  }

  async function ensurePayloadIndexes(existing: Record<string, unknown>): Promise<void> {
    for (const [field, schema] of Object.entries(PAYLOAD_INDEXES)) {
      if (!(field in existing)) await client.createPayloadIndex(collection, { field_name: field, field_schema: schema, wait: true });
    }
  }

  async function check(): Promise<VectorIndexStatus> {
    // Recorded first, even when Qdrant is down: from now on every exercise write is captured.
    await enableOutboxCapture(db, { name: `qdrant:${collection}`, model, dimensions });
    let exists: boolean;
    try {
      exists = (await client.collectionExists(collection)).exists;
    } catch (error) {
      return { available: false, reason: `Qdrant at ${options.url} is unreachable: ${errorMessage(error)}` };
    }
    try {
      if (!exists) await createCollection();
      const info = await client.getCollection(collection);
      const vectors = info.config.params.vectors as { size?: number } | undefined;
      const storedModel = (info.config as { metadata?: { model?: string } }).metadata?.model;
      if (vectors?.size !== dimensions || storedModel !== model) {
        return {
          available: true,
          needsReindex: true,
          model,
          dimensions,
          message:
            `The Qdrant collection ${collection} holds embeddings from ${storedModel ?? 'an unknown model'} (${vectors?.size ?? '?'} dimensions) ` +
            `but the configured embedder is ${model} (${dimensions} dimensions). Search by meaning is off until you re-index (fitness-builder reindex).`,
        };
      }
      await ensurePayloadIndexes(info.payload_schema ?? {});
      return { available: true, needsReindex: false, model, dimensions };
    } catch (error) {
      return { available: false, reason: `Qdrant at ${options.url} failed: ${errorMessage(error)}` };
    }
  }

  function init(): Promise<VectorIndexStatus> {
    initRunning ??= check()
      .then((s) => {
        state = s;
        if (!s.available) logger.warn({ reason: s.reason }, 'Qdrant unavailable');
        return s;
      })
      .finally(() => {
        lastInit = Date.now();
        initRunning = null;
      });
    return initRunning;
  }

  function status(): VectorIndexStatus {
    // A store that was down comes back on its own: any caller asking starts a new check now and then.
    if (!state.available && lastInit > 0 && Date.now() - lastInit > RETRY_INIT_MS && !initRunning) void init().catch(() => {});
    return state;
  }

  async function reset(): Promise<void> {
    await call('delete collection', () => client.deleteCollection(collection));
    const s = await init();
    if (!s.available) throw new UnavailableError(s.reason, { retryable: true });
  }

  async function upsert(items: readonly VectorItem[]): Promise<void> {
    requireReady();
    items.forEach((item, i) => {
      if (!isUuid(item.id)) throw new ValidationError(`[${i}].id`, 'must be a UUID');
      if (item.vector.length !== dimensions) throw new ValidationError(`[${i}].vector`, `must have ${dimensions} dimensions, got ${item.vector.length}`);
    });
    if (items.length === 0) return;
    const rows = new Map((await getExercisesByIds(db, items.map((i) => i.id))).map((r) => [r.id, r]));
    // A row deleted meanwhile gets no point: its delete is in the outbox behind this upsert.
    const points = items.flatMap((item) => {
      const row = rows.get(item.id.toLowerCase());
      return row ? [{ id: row.id, vector: [...item.vector], payload: { ...exercisePayload(row, model) } }] : [];
    });
    if (points.length === 0) return;
    await call('upsert', () => client.upsert(collection, { wait: true, points }));
  }

  async function remove(ids: readonly string[]): Promise<void> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return;
    await call('delete', () => client.delete(collection, { wait: true, points: valid }));
  }

  async function nameMatches(filters: ExerciseFilters): Promise<string[] | undefined> {
    if (filters.name === undefined) return undefined;
    const where = buildExerciseFilter({ name: filters.name });
    const rows = await db.query<{ id: string }>(`SELECT id FROM exercises WHERE ${where.sql}`, where.params);
    return rows.map((r) => String(r.id));
  }

  async function search(vector: readonly number[], opts: VectorSearchOptions): Promise<VectorHit[]> {
    requireReady();
    if (vector.length !== dimensions) throw new ValidationError('vector', `must have ${dimensions} dimensions, got ${vector.length}`);
    if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 1000) throw new ValidationError('limit', 'must be an integer from 1 to 1000');
    const filters: ExerciseFilters = opts.filters ? parseInput(filtersSchema, opts.filters, 'filters') : {};
    const filter = toQdrantFilter(filters, await nameMatches(filters));
    const result = await call('search', () =>
      client.query(collection, {
        query: [...vector],
        limit: opts.limit,
        ...(filter ? { filter } : {}),
        ...(opts.scoreThreshold !== undefined ? { score_threshold: opts.scoreThreshold } : {}),
        params: { hnsw_ef: efSearchFor(opts.limit) },
        with_payload: false,
        with_vector: false,
      }),
    );
    return result.points.map((p) => ({ id: String(p.id), score: p.score }));
  }

  async function vectors(ids: readonly string[]): Promise<Map<string, number[]>> {
    requireReady();
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return new Map();
    const points = await call('retrieve', () => client.retrieve(collection, { ids: valid, with_vector: true, with_payload: false }));
    return new Map(points.map((p) => [String(p.id), p.vector as number[]]));
  }

  async function missing(limit: number, after?: string): Promise<string[]> {
    requireReady();
    const found: string[] = [];
    let cursor = after ?? null;
    while (found.length < limit) {
      const page = await db.query<{ id: string }>(
        'SELECT id FROM exercises WHERE ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $1',
        [Math.max(limit, 256), cursor],
      );
      if (page.length === 0) break;
      const ids = page.map((r) => String(r.id));
      const present = await call('retrieve', () => client.retrieve(collection, { ids, with_vector: false, with_payload: ['model'] }));
      const current = new Set(present.filter((p) => p.payload?.model === model).map((p) => String(p.id)));
      for (const id of ids) {
        if (!current.has(id) && found.length < limit) found.push(id);
      }
      cursor = ids[ids.length - 1]!;
    }
    return found;
  }

  async function stored(pageSize: number, after?: string): Promise<StoredPage> {
    requireReady();
    const page = await call('scroll', () =>
      client.scroll(collection, { limit: pageSize, ...(after ? { offset: after } : {}), with_payload: ['model'], with_vector: false }),
    );
    const ids = page.points.map((p) => String(p.id));
    const otherModel = page.points.filter((p) => p.payload?.model !== model).map((p) => String(p.id));
    const next = page.next_page_offset;
    return { ids, otherModel, ...(next !== undefined && next !== null ? { next: String(next) } : {}) };
  }

  async function count(): Promise<number> {
    requireReady();
    return (await call('count', () => client.count(collection, { exact: true }))).count;
  }

  async function info(): Promise<CollectionInfo> {
    const base = { name: collection, vector_size: dimensions, distance: 'Cosine' as const, model, index: 'hnsw' as const };
    const s = status();
    if (!s.available) return { ...base, vectors_count: 0, status: 'unavailable', message: s.reason };
    const described = await call('collection info', () => client.getCollection(collection));
    const points = described.points_count ?? 0;
    if (s.needsReindex) return { ...base, vectors_count: points, status: 'needs_reindex', ...(s.message ? { message: s.message } : {}) };
    return { ...base, vectors_count: points, status: 'green' };
  }

  return {
    backend: 'qdrant',
    consistency: 'outbox',
    init,
    status,
    upsert,
    delete: remove,
    search,
    vectors,
    missing,
    stored,
    count,
    reset,
    info,
  };
}
