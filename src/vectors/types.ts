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

export interface VectorIndex {
  readonly backend: 'pgvector';
  init(): Promise<VectorIndexStatus>;
  status(): VectorIndexStatus;
  upsert(items: readonly VectorItem[], tx?: Queryable): Promise<void>;
  delete(ids: readonly string[], tx?: Queryable): Promise<void>;
  search(vector: readonly number[], opts: VectorSearchOptions): Promise<VectorHit[]>;
  vectors(ids: readonly string[]): Promise<Map<string, number[]>>;
  missing(limit: number): Promise<string[]>;
  reset(): Promise<void>;
  info(): Promise<CollectionInfo>;
}
