import type { Queryable } from '../database/db.js';
import type { ExerciseFilters } from '../database/types.js';

/** What the index knows about itself after `init()`. */
export type VectorIndexStatus =
  | { available: false; reason: string }
  | {
      available: true;
      /** The stored vectors were made by another model or dimension: search and upsert refuse until `reset()`. */
      needsReindex: boolean;
      model: string;
      dimensions: number;
      /** Why a reindex is needed, in words for an operator. */
      message?: string;
    };

export interface VectorItem {
  /** The exercise id (a UUID). */
  id: string;
  vector: number[];
}

export interface VectorSearchOptions {
  /** 1-100. */
  limit: number;
  /** Metadata filters, with the same meaning as in the relational listing. */
  filters?: ExerciseFilters;
  /** Minimum cosine similarity (-1..1) of a hit. */
  scoreThreshold?: number;
}

export interface VectorHit {
  id: string;
  /** Cosine similarity, higher is closer. */
  score: number;
}

/** Qdrant-style collection description, so clients see one shape whichever backend runs. */
export interface CollectionInfo {
  name: string;
  vectors_count: number;
  vector_size: number;
  distance: 'Cosine';
  model: string;
  index: 'hnsw';
  status: 'green' | 'needs_reindex' | 'unavailable';
  message?: string;
}

export type VectorStoreKind = 'pgvector' | 'qdrant';

/** One page of what a store holds: ids and the model that made each vector (for `vectors verify`). */
export interface StoredPage {
  ids: string[];
  /** Ids whose vector was made by another model than the configured one. */
  otherModel: string[];
  /** Where the next page starts; undefined at the end. */
  next?: string;
}

export interface VectorIndex {
  readonly backend: VectorStoreKind;
  /**
   * `transaction`: vectors are written in the caller's transaction with their rows (pgvector).
   * `outbox`: the store lives outside PostgreSQL; rows write an outbox entry in their transaction
   * (migration 0005's trigger) and the relay brings the store up to date.
   */
  readonly consistency: 'transaction' | 'outbox';
  init(): Promise<VectorIndexStatus>;
  status(): VectorIndexStatus;
  /** Stores vectors (with the exercise rows' filter fields as payload where the store keeps one). */
  upsert(items: readonly VectorItem[], tx?: Queryable): Promise<void>;
  delete(ids: readonly string[], tx?: Queryable): Promise<void>;
  search(vector: readonly number[], opts: VectorSearchOptions): Promise<VectorHit[]>;
  vectors(ids: readonly string[]): Promise<Map<string, number[]>>;
  /** Exercises without a vector, in id order after `after` (a cursor, so a long pass never rescans). */
  missing(limit: number, after?: string): Promise<string[]>;
  /** What the store holds, a page at a time, in id order. */
  stored(pageSize: number, after?: string): Promise<StoredPage>;
  count(): Promise<number>;
  reset(): Promise<void>;
  info(): Promise<CollectionInfo>;
}
