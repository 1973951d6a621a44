import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../../src/embeddings/cache.js';
import type { EmbedKind, Embedder } from '../../src/embeddings/types.js';
import type { Db, Queryable } from '../../src/database/db.js';
import { openTestDb } from '../helpers/db.js';

/** Records every call; vectors are exactly representable in float4 so cached ones compare equal. */
function countingEmbedder(model = 'test:counting', dims = 4) {
  const calls: { texts: string[]; kind: EmbedKind | undefined }[] = [];
  const embedder: Embedder & { calls: typeof calls } = {
    model,
    dimensions: dims,
    calls,
    init: async () => {},
    embed: async (texts, kind) => {
      calls.push({ texts: [...texts], kind });
      return texts.map((t) => Array.from({ length: dims }, (_, i) => (t.length + i + (kind === 'query' ? 0.5 : 0)) / 8));
    },
  };
  return embedder;
}

function suite(name: string, open: () => Promise<{ db: Db; cleanup: () => Promise<void> }>) {
  describe(`withEmbeddingCache on ${name}`, () => {
    let db: Db;
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ db, cleanup } = await open());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('answers repeated texts from the database without calling the model', async () => {
      const inner = countingEmbedder('test:repeat');
      const first = await withEmbeddingCache(inner, db, { memoryEntries: 0 }).embed(['squat', 'lunge']);
      // A fresh wrapper has an empty memory: the hit can only come from the table.
      const second = await withEmbeddingCache(inner, db, { memoryEntries: 0 }).embed(['squat', 'lunge']);
      expect(inner.calls).toHaveLength(1);
      expect(second).toEqual(first);
    });

    it('embeds only the misses, once each, in one call, keeping order', async () => {
      const inner = countingEmbedder('test:mixed');
      const cached = withEmbeddingCache(inner, db);
      await cached.embed(['a', 'bbb']);
      const vectors = await cached.embed(['cc', 'a', 'dddd', 'bbb', 'cc']);
      expect(inner.calls.map((c) => c.texts)).toEqual([['a', 'bbb'], ['cc', 'dddd']]);
      expect(vectors).toEqual(await inner.embed(['cc', 'a', 'dddd', 'bbb', 'cc']));
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM embedding_cache WHERE model = $1', ['test:mixed']);
      expect(rows[0]!.n).toBe(4);
    });

    it('keeps documents and queries, models and dimensions apart', async () => {
      const inner = countingEmbedder('test:kinds');
      const cached = withEmbeddingCache(inner, db, { memoryEntries: 0 });
      const doc = await cached.embed(['plank'], 'document');
      const query = await cached.embed(['plank'], 'query');
      expect(query).not.toEqual(doc);
      const shorter = withEmbeddingCache(countingEmbedder('test:kinds', 2), db);
      expect((await shorter.embed(['plank']))[0]).toHaveLength(2);
      const other = countingEmbedder('test:other-model');
      await withEmbeddingCache(other, db).embed(['plank']);
      expect(inner.calls).toHaveLength(2);
      expect(other.calls).toHaveLength(1);
    });

    it('serves repeated queries from memory', async () => {
      const inner = countingEmbedder('test:memory');
      let reads = 0;
      const counting: Queryable = {
        query: (sql, params) => {
          if (sql.startsWith('SELECT')) reads++;
          return db.query(sql, params);
        },
        exec: (sql) => db.exec(sql),
      };
      const cached = withEmbeddingCache(inner, counting, { memoryEntries: 2 });
      await cached.embed(['x'], 'query');
      await cached.embed(['x'], 'query');
      expect(reads).toBe(1);
      const [v] = await cached.embed(['x'], 'query');
      v![0] = 99;
      expect((await cached.embed(['x'], 'query'))[0]![0]).not.toBe(99);
      await cached.embed(['y', 'z'], 'query'); // evicts 'x'
      await cached.embed(['x'], 'query');
      expect(reads).toBe(3);
      expect(inner.calls).toHaveLength(2);
    });

    it('still returns vectors when the cache write fails, but lets read failures through', async () => {
      const inner = countingEmbedder('test:failing');
      const failingWrites: Queryable = {
        query: (sql, params) => (sql.startsWith('INSERT') ? Promise.reject(new Error('disk full')) : db.query(sql, params)),
        exec: (sql) => db.exec(sql),
      };
      expect(await withEmbeddingCache(inner, failingWrites).embed(['a', 'b'])).toHaveLength(2);

      const failingReads: Queryable = { query: () => Promise.reject(new Error('db down')), exec: async () => {} };
      await expect(withEmbeddingCache(inner, failingReads).embed(['c'])).rejects.toThrow('db down');
    });

    it('has the identity of the inner embedder and makes no call for no texts', async () => {
      const inner = countingEmbedder('test:identity', 4);
      const cached = withEmbeddingCache(inner, db);
      expect(cached.model).toBe('test:identity');
      expect(cached.dimensions).toBe(4);
      expect(await cached.embed([])).toEqual([]);
      expect(inner.calls).toHaveLength(0);
    });
  });
}

suite('PGlite', async () => {
  const t = await openTestDb('pglite');
  return { db: t.db, cleanup: () => t.close() };
});

// The server half fails hard when the server is down, like every other suite.
suite('PostgreSQL', async () => {
  const t = await openTestDb('postgres');
  return { db: t.db, cleanup: () => t.close() };
});
