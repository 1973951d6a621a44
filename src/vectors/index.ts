/**
 * Vector indexes: where exercise embeddings live and are searched by cosine similarity.
 *
 * Contract every backend keeps (pgvector today; Qdrant can follow with the same shape):
 * - ids are exercise ids; a vector belongs to exactly one exercise and goes when it goes.
 * - `init()` prepares storage for the embedder's model and dimensions and records them. It never
 *   mixes vector spaces: if stored vectors came from another model or dimension it reports
 *   `needsReindex` (search and upsert then refuse with UnavailableError) until `reset()`.
 *   A backend that cannot run (no pgvector on the server) reports `available: false` with a
 *   reason an operator can act on; callers then fall back to full-text search.
 * - `upsert`/`delete` take the caller's transaction when given, so a row and its vector commit together.
 * - `search` applies the same metadata filters as the relational listing (`buildExerciseFilter`)
 *   inside the index query and returns every matching row when fewer than `limit` exist.
 * - `missing(limit)` lists exercises without a vector: the one pass that rebuilds or reconciles.
 */
export type { CollectionInfo, VectorHit, VectorIndex, VectorIndexStatus, VectorItem, VectorSearchOptions } from './types.js';
export { createPgvectorIndex, type PgvectorOptions } from './pgvector.js';
