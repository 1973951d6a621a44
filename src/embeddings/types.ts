/**
 * What every embedding provider gives: vectors for texts, and the identity (model, dimensions)
 * that the vector index records so a model change is detected.
 */
export type EmbedKind = 'document' | 'query';

export interface Embedder {
  /** Provider and model, e.g. `openai:text-embedding-3-small` or `offline:fitness-lexical-v1`. Recorded by the index. */
  readonly model: string;
  /** Known after `init()`. */
  readonly dimensions: number;
  /** Resolves the dimensions (a probe call for remote models) and loads local models. Idempotent. */
  init(): Promise<void>;
  /** One unit-length vector per text, in input order. Throws a typed error, never returns partial results. */
  embed(texts: readonly string[], kind?: EmbedKind): Promise<number[][]>;
}
