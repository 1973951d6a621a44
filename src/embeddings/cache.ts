import { createHash } from 'node:crypto';
import type { Queryable } from '../database/db.js';
import { logger } from '../logger.js';
import type { EmbedKind, Embedder } from './types.js';

export interface EmbeddingCacheOptions {
  /** Most recently used vectors kept in memory, for repeated search queries. Default 256; 0 turns it off. */
  memoryEntries?: number;
}

// Keeps each INSERT well under PostgreSQL's 65,535 bind parameters.
const ROWS_PER_INSERT = 1000;

/**
 * Remembers vectors in `embedding_cache` (and a small in-memory LRU) so re-indexing and
 * repeated queries do not pay the provider twice. Rows are keyed by the inner model and a hash
 * of (dimensions, kind, text): the same model asked for shorter vectors must not hit old rows.
 * Only the misses reach the inner embedder, in one call. A failed cache write is ignored (the
 * vectors are still good); a failed read propagates, as the database is then down anyway.
 */
export function withEmbeddingCache(inner: Embedder, db: Queryable, opts: EmbeddingCacheOptions = {}): Embedder {
  const capacity = opts.memoryEntries ?? 256;
  const memory = new Map<string, number[]>();

  function remember(key: string, vector: number[]): void {
    if (capacity <= 0) return;
    memory.delete(key);
    memory.set(key, vector);
    if (memory.size > capacity) memory.delete(memory.keys().next().value!);
  }

  function recall(key: string): number[] | undefined {
    const vector = memory.get(key);
    if (vector) remember(key, vector);
    return vector;
  }

  async function store(rows: [string, number[]][]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      const params: unknown[] = [inner.model];
      const values = chunk.map(([hash, vector]) => {
        params.push(hash, vector);
        return `($1, $${params.length - 1}, $${params.length}::real[])`;
      });
      await db.query(
        `INSERT INTO embedding_cache (model, text_hash, embedding) VALUES ${values.join(', ')}
         ON CONFLICT (model, text_hash) DO NOTHING`,
        params,
      );
    }
  }

  return {
    get model() {
      return inner.model;
    },
    get dimensions() {
      return inner.dimensions;
    },
    init: () => inner.init(),
    async embed(texts: readonly string[], kind: EmbedKind = 'document') {
      if (texts.length === 0) return [];
      await inner.init();
      const keys = texts.map((t) => hash(`${inner.dimensions}\n${kind}\n${t}`));
      const found = new Map<string, number[]>();
      for (const key of keys) {
        const vector = recall(key);
        if (vector) found.set(key, vector);
      }

      const unknown = [...new Set(keys.filter((k) => !found.has(k)))];
      if (unknown.length > 0) {
        const rows = await db.query<{ text_hash: string; embedding: number[] }>(
          'SELECT text_hash, embedding FROM embedding_cache WHERE model = $1 AND text_hash = ANY($2::text[])',
          [inner.model, unknown],
        );
        for (const row of rows) {
          const vector = row.embedding.map(Number);
          found.set(row.text_hash, vector);
          remember(row.text_hash, vector);
        }
      }

      // One text per missing key, so duplicates in the input are embedded once.
      const missing = new Map<string, string>();
      keys.forEach((key, i) => {
        if (!found.has(key) && !missing.has(key)) missing.set(key, texts[i]!);
      });
      if (missing.size > 0) {
        const vectors = await inner.embed([...missing.values()], kind);
        const fresh: [string, number[]][] = [...missing.keys()].map((key, i) => [key, vectors[i]!]);
        for (const [key, vector] of fresh) {
          found.set(key, vector);
          remember(key, vector);
        }
        // The vectors are good either way: a failed cache write costs a later re-embedding, not this call.
        await store(fresh).catch((err: unknown) => logger.warn({ err }, 'could not write embeddings to the cache'));
      }
      // Copies, so a caller changing a vector cannot change the cache.
      return keys.map((key) => [...found.get(key)!]);
    },
  };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
