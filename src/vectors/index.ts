/**
 * Vector indexes: where exercise embeddings live and are searched by cosine similarity.
 *
 * Contract every backend keeps (pgvector in PostgreSQL, Qdrant beside it):
 * - ids are exercise ids; a vector belongs to exactly one exercise and goes when it goes.
 * - `init()` prepares storage for the embedder's model and dimensions and records them. It never
 *   mixes vector spaces: if stored vectors came from another model or dimension it reports
 *   `needsReindex` (search and upsert then refuse with UnavailableError) until `reset()`.
 *   A backend that cannot run (no pgvector on the server, Qdrant down) reports `available: false`
 *   with a reason an operator can act on; callers then fall back to full-text search.
 * - `consistency: 'transaction'` (pgvector): `upsert`/`delete` take the caller's transaction, so a
 *   row and its vector commit together. `consistency: 'outbox'` (Qdrant): rows write outbox
 *   entries in their transaction and the relay (relay.ts) pushes them; callers never write the
 *   store inside a transaction.
 * - `search` applies the same metadata filters as the relational listing (`buildExerciseFilter`)
 *   inside the index query and returns every matching row when fewer than `limit` exist.
 * - `missing(limit, after)` lists exercises without a vector and `stored(...)` pages through what
 *   the store holds: the passes that rebuild, verify and repair.
 */
import type { Config } from '../config.js';
import type { Db } from '../database/db.js';
import { createPgvectorIndex } from './pgvector.js';
import { createQdrantIndex } from './qdrant.js';
import type { VectorIndex, VectorStoreKind } from './types.js';

export type { CollectionInfo, StoredPage, VectorHit, VectorIndex, VectorIndexStatus, VectorItem, VectorSearchOptions, VectorStoreKind } from './types.js';
export { createPgvectorIndex, type PgvectorOptions } from './pgvector.js';
export { createQdrantIndex, type QdrantOptions } from './qdrant.js';
export { createOutboxRelay, type OutboxRelay } from './relay.js';

/** The configured store (or `kind`, when moving a library between stores). */
export function createVectorIndex(config: Config, db: Db, embedder: { model: string; dimensions: number }, kind: VectorStoreKind = config.vectors.store): VectorIndex {
  if (kind === 'pgvector') return createPgvectorIndex({ db, model: embedder.model, dimensions: embedder.dimensions });
  if (!config.vectors.qdrantUrl) throw new Error('QDRANT_URL is not set');
  return createQdrantIndex({
    db,
    url: config.vectors.qdrantUrl,
    apiKey: config.vectors.qdrantApiKey,
    collection: config.vectors.qdrantCollection,
    model: embedder.model,
    dimensions: embedder.dimensions,
    timeoutMs: config.vectors.qdrantTimeoutMs,
  });
}
