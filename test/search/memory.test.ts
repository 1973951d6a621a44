import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/database/db.js';
import { storeExercises } from '../../src/database/exercises.js';
import { readSnapshotRows, type LibrarySnapshot } from '../../src/database/snapshot.js';
import type { ExerciseFilters } from '../../src/database/types.js';
import { createOfflineEmbedder } from '../../src/embeddings/offline.js';
import { buildTsQuery, rankFulltext, RANK_WEIGHTS } from '../../src/search/fulltext.js';
import { createMemorySearchPath } from '../../src/search/memory/path.js';
import { compileTsquery, createLexemeCache, renderTsquery, tsqueryWords } from '../../src/search/memory/tsquery.js';
import { parseTsvector, rankWeights, tsqueryMatches, tsRank, type CompiledTsquery, type PhraseTerm } from '../../src/search/memory/tsvector.js';
import { mapCatalogueEntry, type CatalogueEntry } from '../../src/services/catalogue.js';
import { createPgvectorIndex } from '../../src/vectors/pgvector.js';
import { BACKENDS, openTestDb, truncateAll, type TestDb } from '../helpers/db.js';
import { bindSearch, mirrorOf, type BoundSearch } from '../helpers/search.js';

const DATA = path.resolve(import.meta.dirname, '../../../shared/data/free-exercise-db');
const CATALOGUE = JSON.parse(fs.readFileSync(path.join(DATA, 'exercises.json'), 'utf8')) as CatalogueEntry[];
const QUERIES = (JSON.parse(fs.readFileSync(path.join(DATA, 'queries-dev.json'), 'utf8')) as { query: string }[]).map((q) => q.query);

let version = 0;
function snapshotOf(rows: Awaited<ReturnType<typeof readSnapshotRows>>): LibrarySnapshot {
  const byId = new Map(rows.map((r) => [r.exercise.id, r]));
  return { version: ++version, rows, get: (id) => byId.get(id) };
}

/** Same ids in the same order with the same scores, to the last bit (see src/search/memory/cosine.ts). */
function expectSame(what: string, db: readonly { id: string; score: number }[], memory: readonly { id: string; score: number }[]): void {
  expect(memory, what).toEqual(db.map((h) => ({ id: h.id, score: h.score })));
}
/**
 * For raw nearest-neighbour lists: pgvector orders equal distances arbitrarily (ORDER BY distance
 * alone), so rows tied on score are compared as sets, and a tie group cut by the limit is left out.
 */
function expectSameNeighbours(what: string, db: readonly { id: string; score: number }[], memory: readonly { id: string; score: number }[], limit: number): void {
  const canonical = (list: readonly { id: string; score: number }[]) => {
    const groups: { score: number; ids: string[] }[] = [];
    for (const h of list) {
      const last = groups[groups.length - 1];
      if (last && last.score === h.score) last.ids.push(h.id);
      else groups.push({ score: h.score, ids: [h.id] });
    }
    if (list.length === limit) groups.pop();
    return groups.map((g) => ({ score: g.score, ids: g.ids.sort() }));
  };
  const a = canonical(db);
  const b = canonical(memory);
  expect(b, what).toEqual(a);
}
const scored = (items: readonly { exercise: { id: string }; score: number }[]) => items.map((h) => ({ id: h.exercise.id, score: h.score }));

/** Counts queries, to show a warmed-up memory search never reaches the database. */
function counting(db: Db): Db & { queries: number } {
  const wrapper = Object.create(db) as Db & { queries: number };
  wrapper.queries = 0;
  wrapper.query = ((...args: Parameters<Db['query']>) => {
    wrapper.queries += 1;
    return db.query(...args);
  }) as Db['query'];
  return wrapper;
}

const FILTERS: ExerciseFilters[] = [
  { category: ['strength'] },
  { equipment: ['cable'] },
  { muscles: ['chest'] },
  { muscles: ['hamstrings', 'glutes'], fitness_level: { max: 4 } },
  { name: 'press' },
  { name: 'Dumbbell' },
  { name: '100%' },
  { fitness_level: { min: 5, max: 7 } },
  { intensity: { min: 0 } },
  { has_clip: false },
  { has_clip: true },
  { platform: ['catalogue'], equipment: ['barbell', 'dumbbell'] },
  { url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' },
];

describe.each(BACKENDS)('the in-memory search path gives the database path answer on %s', (backend) => {
  let t: TestDb;
  let db: Db & { queries: number };
  let index: ReturnType<typeof createPgvectorIndex>;
  let dbService: BoundSearch;
  let memService: BoundSearch;
  let snapshot: LibrarySnapshot | null = null;
  const embedder = createOfflineEmbedder();

  beforeAll(async () => {
    t = await openTestDb(backend);
    db = counting(t.db);
    index = createPgvectorIndex({ db, model: embedder.model, dimensions: embedder.dimensions });
    dbService = bindSearch({ db, embedder, index, mirror: null });
    memService = bindSearch({ db, embedder, index, mirror: mirrorOf(() => snapshot) });
    await dbService.initVectorStore();
    await storeExercises(db, CATALOGUE.map((e) => mapCatalogueEntry(e)));
    await dbService.reindex({ batchSize: 256 });
    snapshot = snapshotOf(await readSnapshotRows(db));
  }, 180_000);
  afterAll(async () => t?.close());

  it('compiles every dev query to the tsquery PostgreSQL makes of it', async () => {
    const lexemes = createLexemeCache(db);
    for (const query of QUERIES) {
      const text = buildTsQuery(query);
      if (!text) continue;
      await lexemes.learn(tsqueryWords(text));
      const [row] = await db.query<{ q: string }>(`SELECT to_tsquery('english', $1)::text AS q`, [text]);
      expect(renderTsquery(compileTsquery(text, lexemes.lookup)!), query).toBe(row!.q);
    }
  });

  it('ranks the dev queries by full text exactly as ts_rank does', async () => {
    const memory = createMemorySearchPath(db, () => snapshot);
    const lib = (await memory.library())!;
    for (const query of QUERIES) {
      const fromDb = await rankFulltext(db, query, { limit: 200 });
      const fromMemory = (await memory.fulltext(lib, query, { limit: 200 }))!;
      expect(fromMemory.map((h) => h.id), query).toEqual(fromDb.map((h) => h.id));
      // Bit for bit: both sides are the same float4.
      expect(fromMemory.map((h) => Math.fround(h.rank)), query).toEqual(fromDb.map((h) => Math.fround(h.rank)));
    }
  });

  it('finds the same nearest vectors for the dev queries, with the same scores', async () => {
    const lib = (await createMemorySearchPath(db, () => snapshot).library())!;
    for (const query of QUERIES) {
      const [vector] = await embedder.embed([query], 'query');
      expectSameNeighbours(query, await index.search(vector!, { limit: 100 }), lib.vectorSearch(vector!, { limit: 100 })!, 100);
    }
  });

  it('serves the same hybrid, similar and diverse lists for the dev queries', async () => {
    for (const query of QUERIES) {
      const fromDb = await dbService.findExercises(query, { limit: 50 });
      const fromMemory = await memService.findExercises(query, { limit: 50 });
      expect(fromMemory.ranker).toBe(fromDb.ranker);
      expectSame(`hybrid: ${query}`, scored(fromDb.items), scored(fromMemory.items));
      expect(fromMemory.items.map((h) => h.ranks)).toEqual(fromDb.items.map((h) => h.ranks));
      expect(fromMemory.items.map((h) => h.exercise)).toEqual(fromDb.items.map((h) => h.exercise));
      expectSame(`similar: ${query}`, scored(await dbService.searchSimilarExercises(query, { limit: 30 })), scored(await memService.searchSimilarExercises(query, { limit: 30 })));
      expectSame(`diverse: ${query}`, scored((await dbService.findDiverseExercises(query, { limit: 12 })).items), scored((await memService.findDiverseExercises(query, { limit: 12 })).items));
    }
  });

  it('applies filters with the database meaning', async () => {
    const memory = createMemorySearchPath(db, () => snapshot);
    const lib = (await memory.library())!;
    const sample = QUERIES.filter((_, i) => i % 8 === 0);
    for (const filters of FILTERS) {
      for (const query of sample) {
        const what = `${JSON.stringify(filters)} ${query}`;
        const fromDb = await rankFulltext(db, query, { limit: 100, filters });
        expect((await memory.fulltext(lib, query, { limit: 100, filters }))!.map((h) => h.id), what).toEqual(fromDb.map((h) => h.id));
        const [vector] = await embedder.embed([query], 'query');
        expectSameNeighbours(what, await index.search(vector!, { limit: 50, filters }), lib.vectorSearch(vector!, { limit: 50, filters })!, 50);
        expectSame(what, scored((await dbService.findExercises(query, { limit: 20, filters })).items), scored((await memService.findExercises(query, { limit: 20, filters })).items));
      }
    }
  });

  it('keeps only hits at or above a score threshold, as the database does', async () => {
    for (const scoreThreshold of [-1, 0.2, 0.4, 0.6, 0.95]) {
      for (const query of QUERIES.filter((_, i) => i % 6 === 0)) {
        expectSame(`${scoreThreshold} ${query}`, scored(await dbService.searchSimilarExercises(query, { limit: 40, scoreThreshold })), scored(await memService.searchSimilarExercises(query, { limit: 40, scoreThreshold })));
      }
    }
  });

  it('answers a warmed-up search without a database query', async () => {
    const query = QUERIES[0]!;
    await memService.findDiverseExercises(query, { limit: 10 });
    const before = db.queries;
    await memService.findExercises(query, { limit: 10, filters: { muscles: ['chest'] } });
    await memService.findDiverseExercises(query, { limit: 10 });
    await memService.searchSimilarExercises(query, { limit: 10 });
    expect(db.queries - before).toBe(0);
  });

  it('leaves a library above the threshold to the database', async () => {
    const small = bindSearch({ db, embedder, index, mirror: mirrorOf(() => snapshot), searchTuning: { memorySearchMaxRows: snapshot!.rows.length - 1 } });
    const query = QUERIES[1]!;
    await small.findExercises(query);
    const before = db.queries;
    const fromDb = await small.findExercises(query, { limit: 20 });
    expect(db.queries - before).toBeGreaterThan(0);
    expectSame(query, scored((await memService.findExercises(query, { limit: 20 })).items), scored(fromDb.items));
  });

  it('leaves rows without a vector to full text on both paths', async () => {
    const ids = snapshot!.rows.filter((_, i) => i % 3 === 0).map((r) => r.exercise.id);
    await index.delete(ids);
    snapshot = snapshotOf(await readSnapshotRows(db));
    expect(snapshot.rows.filter((r) => r.vector === null)).toHaveLength(ids.length);
    for (const query of QUERIES.filter((_, i) => i % 4 === 0)) {
      expectSame(`similar: ${query}`, scored(await dbService.searchSimilarExercises(query, { limit: 30 })), scored(await memService.searchSimilarExercises(query, { limit: 30 })));
      expectSame(`hybrid: ${query}`, scored((await dbService.findExercises(query, { limit: 30 })).items), scored((await memService.findExercises(query, { limit: 30 })).items));
    }
  });

  it('finds nothing in an empty library on either path', async () => {
    await truncateAll(t.db);
    snapshot = snapshotOf(await readSnapshotRows(db));
    expect(snapshot.rows).toHaveLength(0);
    for (const query of QUERIES.slice(0, 5)) {
      expect((await memService.findExercises(query)).items).toEqual([]);
      expect(await memService.searchSimilarExercises(query)).toEqual([]);
      expect((await memService.findDiverseExercises(query)).items).toEqual((await dbService.findDiverseExercises(query)).items);
    }
  });
});

/** PostgreSQL's text of an OR of lexemes and phrases, read back into terms. */
function readTsquery(text: string): CompiledTsquery {
  const terms: PhraseTerm[] = [];
  for (const part of text.split(' | ')) {
    const lexemes: string[] = [];
    const offsets: number[] = [];
    let offset = 0;
    for (const m of part.matchAll(/'((?:[^'\\]|''|\\.)*)'|<(-|\d+)>/g)) {
      if (m[2] !== undefined) offset += m[2] === '-' ? 1 : Number(m[2]);
      else {
        lexemes.push(m[1]!.replace(/''/g, "'").replace(/\\(.)/g, '$1'));
        offsets.push(offset);
      }
    }
    terms.push({ lexemes, offsets });
  }
  return { terms };
}

describe.each(BACKENDS)('ts_rank and @@ in memory on hand-made documents, checked against %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend, { migrate: false });
  });
  afterAll(async () => t?.close());

  const CASES: [string, string][] = [
    ["'push':1A,3B 'pull':2,9C", "'push' | 'pull' | 'bench'"],
    ["'push':1A,3B 'pull':2,9C", "'push' <-> 'pull'"],
    ["'push':1A,3B 'pull':2,9C", "'pull' <-> 'push'"],
    ["'farmer':1A,5C 'walk':2A,7C 'carri':3B", "'farmer' <-> 'walk' <-> 'carri'"],
    ["'farmer':1A,5C 'walk':2A,7C 'carri':3B", "'farmer' <2> 'carri' | 'walk'"],
    ["'a':1,2,3,4,5,6,7,8 'b':200,300", "'a' <-> 'b'"],
    ["'a':1,2,3,4,5,6,7,8 'b':200,300", "'b' | 'a'"],
    ["'x':1A 'y':2B 'z':150C", "'x' <-> 'z'"],
    ["'it''s':1A 'back\\\\slash':2B", "'it''s' | 'back\\\\slash' | 'none'"],
    ["'solo':1,2,3A", "'solo'"],
    ["'solo':4B", "'other'"],
  ];

  it.each(CASES)('%s ranked for %s', async (doc, query) => {
    const [row] = await t.db.query<{ rank: number; hit: boolean; q: string; d: string }>(
      `SELECT ts_rank('${RANK_WEIGHTS}', $1::tsvector, $2::tsquery) AS rank, $1::tsvector @@ $2::tsquery AS hit, $2::tsquery::text AS q, $1::tsvector::text AS d`,
      [doc, query],
    );
    const parsed = parseTsvector(row!.d);
    const compiled = readTsquery(row!.q);
    const lookup = (l: string) => parsed.get(l);
    expect(tsqueryMatches(lookup, compiled)).toBe(row!.hit);
    expect(tsRank(rankWeights([0.05, 0.2, 0.5, 1.0]), lookup, compiled, parsed.size)).toBe(Math.fround(row!.rank));
  });
});
