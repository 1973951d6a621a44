import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchExercises, storeExercises } from '../../src/database/exercises.js';
import type { Exercise, ExerciseInput } from '../../src/database/types.js';
import { createOfflineEmbedder, OFFLINE_MODEL } from '../../src/embeddings/offline.js';
import type { Embedder } from '../../src/embeddings/types.js';
import { UnavailableError, ValidationError } from '../../src/errors.js';
import { MAX_DIVERSE_CANDIDATES } from '../../src/limits.js';
import { createPgvectorIndex } from '../../src/vectors/pgvector.js';
import { BACKENDS, openTestDb, type TestDb } from '../helpers/db.js';
import { bindSearch, type BoundSearch } from '../helpers/search.js';

const base = { url: null, platform: 'catalogue' as const };
const LIBRARY: ExerciseInput[] = [
  { exercise_name: 'Cable Crossover', category: 'strength', primary_muscles: ['chest'], equipment: 'cable', fitness_level: 5, force: 'push' },
  { exercise_name: 'Push-Up', category: 'strength', primary_muscles: ['chest'], secondary_muscles: ['triceps'], equipment: 'body only', fitness_level: 2, force: 'push' },
  { exercise_name: 'Barbell Bench Press', category: 'powerlifting', primary_muscles: ['chest'], equipment: 'barbell', fitness_level: 5, force: 'push' },
  { exercise_name: 'Lying Leg Curl', category: 'strength', primary_muscles: ['hamstrings'], equipment: 'machine', fitness_level: 2, force: 'pull' },
  { exercise_name: 'Romanian Deadlift', category: 'strength', primary_muscles: ['hamstrings'], secondary_muscles: ['glutes', 'lower back'], equipment: 'barbell', fitness_level: 5, force: 'pull' },
  { exercise_name: 'Seated Hamstring Stretch', category: 'stretching', primary_muscles: ['hamstrings'], equipment: null, fitness_level: 2 },
  { exercise_name: 'Standing Calf Raise', category: 'strength', primary_muscles: ['calves'], equipment: 'machine', fitness_level: 2, force: 'push' },
  { exercise_name: 'Kettlebell Swing', category: 'strength', primary_muscles: ['hamstrings'], secondary_muscles: ['glutes'], equipment: 'kettlebells', fitness_level: 5, force: 'pull' },
  { exercise_name: 'Groin Stretch', category: 'stretching', primary_muscles: ['adductors'], equipment: null, fitness_level: 2 },
  { exercise_name: 'Plank', category: 'strength', primary_muscles: ['abdominals'], equipment: 'body only', fitness_level: 2, force: 'static' },
].map((e, i) => ({ ...base, normalized_url: i < 3 ? 'https://youtube.com/watch?v=chestday' : `catalogue://test/${i}`, carousel_index: 1, ...e }));

/** Wraps the offline embedder to fail on demand: a provider outage, without a network. */
function flaky(inner: Embedder): Embedder & { down: boolean; calls: number; failAfter?: number } {
  const wrapper = {
    down: false,
    calls: 0,
    failAfter: undefined as number | undefined,
    model: inner.model,
    dimensions: inner.dimensions,
    init: () => inner.init(),
    async embed(texts: readonly string[], kind?: 'document' | 'query') {
      wrapper.calls += 1;
      if (wrapper.down || (wrapper.failAfter !== undefined && wrapper.calls > wrapper.failAfter)) {
        throw new UnavailableError('Embedding provider unavailable: connect ECONNREFUSED');
      }
      return inner.embed(texts, kind);
    },
  };
  return wrapper;
}

describe.each(BACKENDS)('search service on %s with the offline embedder', (backend) => {
  let t: TestDb;
  let service: BoundSearch;
  let embedder: ReturnType<typeof flaky>;
  let index: ReturnType<typeof createPgvectorIndex>;
  let rows: Exercise[];
  const names = (items: { exercise: Exercise }[]) => items.map((i) => i.exercise.exercise_name);

  beforeAll(async () => {
    t = await openTestDb(backend);
    embedder = flaky(createOfflineEmbedder());
    index = createPgvectorIndex({ db: t.db, model: embedder.model, dimensions: embedder.dimensions });
    service = bindSearch({ db: t.db, embedder, index, mirror: null });
    expect(await service.initVectorStore()).toMatchObject({ available: true, needsReindex: false });
    rows = await storeExercises(t.db, LIBRARY);
    // Every test starts from an embedded library, so each passes alone.
    await service.reindex();
  });
  afterAll(async () => t?.close());

  it('reindexes resumably, batch by batch, after a provider failure', async () => {
    await index.delete(rows.map((r) => r.id));
    expect((await service.getCollectionInfo()).vectors_count).toBe(0);
    embedder.failAfter = embedder.calls + 2;
    const progress: number[] = [];
    await expect(service.reindex({ batchSize: 3, onProgress: (p) => progress.push(p.done) })).rejects.toBeInstanceOf(UnavailableError);
    expect(progress).toEqual([3, 6]);
    expect((await service.getCollectionInfo()).vectors_count).toBe(6);
    embedder.failAfter = undefined;
    const result = await service.reindex({ batchSize: 3 });
    expect(result).toEqual({ embedded: 4, model: OFFLINE_MODEL, reset: false });
    expect((await service.getCollectionInfo()).vectors_count).toBe(10);
    expect((await service.reindex()).embedded).toBe(0);
  });

  it('finds by meaning with full rows, in one result list', async () => {
    const hits = await service.searchSimilarExercises('hamstring strength work', { limit: 3 });
    expect(hits).toHaveLength(3);
    expect(hits[0]!.exercise.primary_muscles).toEqual(['hamstrings']);
    expect(hits[0]!.exercise.category).not.toBe('stretching');
    expect(hits[0]!.exercise.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(hits[0]!.score).toBeGreaterThan(hits[2]!.score);
  });

  it('applies filters and a score threshold in vector search', async () => {
    const hits = await service.searchSimilarExercises('chest', { limit: 10, filters: { equipment: ['barbell'] } });
    expect(names(hits).sort()).toEqual(['Barbell Bench Press', 'Romanian Deadlift']);
    const strict = await service.searchSimilarExercises('pecs', { limit: 10, scoreThreshold: 0.3 });
    expect(strict.every((h) => h.score >= 0.3)).toBe(true);
    expect(strict.length).toBeLessThan(10);
    expect(names(strict)).toContain('Cable Crossover');
  });

  it('filters by force in vector, hybrid and diverse search and in the listing', async () => {
    const pulls = ['Kettlebell Swing', 'Lying Leg Curl', 'Romanian Deadlift'];
    expect(names(await service.searchSimilarExercises('hamstrings', { limit: 10, filters: { force: ['pull'] } })).sort()).toEqual(pulls);
    expect(names((await service.findExercises('hamstrings', { limit: 10, filters: { force: ['pull'] } })).items).sort()).toEqual(pulls);
    expect(names(await service.searchDiverseExercises('core', { limit: 5, filters: { force: ['static'] } }))).toEqual(['Plank']);
    expect((await searchExercises(t.db, { force: ['static', 'pull'] }, { sort: 'exercise_name' })).items.map((e) => e.exercise_name)).toEqual([...pulls, 'Plank'].sort());
    const error = await service.findExercises('chest', { filters: { force: ['sideways'] } } as never).catch((e: unknown) => e);
    expect((error as ValidationError).field).toBe('filters.force.0');
  });

  it('ranks hybrid results with both rankers and reports them', async () => {
    const result = await service.findExercises('adductor flexibility', { limit: 5 });
    expect(result.ranker).toBe('hybrid');
    expect(result.items[0]!.exercise.exercise_name).toBe('Groin Stretch');
    expect(result.items[0]!.ranks).toEqual({ fulltext: expect.any(Number), vector: expect.any(Number) });
    const filtered = await service.findExercises('stretch', { limit: 5, filters: { muscles: ['hamstrings'] } });
    expect(filtered.items.every((i) => i.exercise.primary_muscles.includes('hamstrings'))).toBe(true);
  });

  it('answers nonsense with no results and a reason, and a real query with scores from 0 to 1', async () => {
    for (const q of ['qwxzv plmkj', 'asdfgh jkl']) {
      const none = await service.findExercises(q, { limit: 5 });
      expect(none.items, q).toEqual([]);
      expect(none.noMatch, q).toMatch(/no good match/i);
    }
    const found = await service.findExercises('hamstring stretch', { limit: 10 });
    expect(found.noMatch).toBeUndefined();
    expect(found.items.length).toBeGreaterThan(0);
    for (const i of found.items) expect(i.score > 0 && i.score <= 1, `${i.score}`).toBe(true);
  });

  it('puts an exact name first, abbreviations and typing slips included', async () => {
    expect(names((await service.findExercises('romanian deadlift', { limit: 3 })).items)[0]).toBe('Romanian Deadlift');
    expect(names((await service.findExercises('rdl', { limit: 3 })).items)[0]).toBe('Romanian Deadlift');
    expect(names((await service.findExercises('kettlebell swnig', { limit: 3 })).items)[0]).toBe('Kettlebell Swing');
  });

  it('prefers the profile a person states and excludes only what is negated', async () => {
    const seated = names((await service.findExercises('hamstring work I can do seated', { limit: 3 })).items);
    expect(seated[0]).toBe('Seated Hamstring Stretch');
    const noSwings = names((await service.findExercises('hamstrings, no swings', { limit: 10 })).items);
    expect(noSwings).not.toContain('Kettlebell Swing');
    expect(noSwings).toEqual(expect.arrayContaining(['Romanian Deadlift', 'Lying Leg Curl']));
  });

  it('picks diverse results: at most two per source video', async () => {
    const picked = await service.searchDiverseExercises('pectoral training', { limit: 4, diversity: 0.2 });
    expect(picked).toHaveLength(4);
    const fromVideo = picked.filter((p) => p.exercise.normalized_url === 'https://youtube.com/watch?v=chestday');
    expect(fromVideo.length).toBeLessThanOrEqual(2);
  });

  it.each([
    ['', {}, 'query'],
    ['   ', {}, 'query'],
    ['x'.repeat(1001), {}, 'query'],
    ['chest', { limit: 0 }, 'limit'],
    ['chest', { limit: 101 }, 'limit'],
    ['chest', { filters: { fitness_level: { min: 11 } } }, 'filters.fitness_level.min'],
    ['chest', { filters: { colour: ['red'] } }, 'filters.colour'],
  ])('refuses %j with %j naming %s', async (query, options, field) => {
    for (const call of [
      () => service.searchSimilarExercises(query, options as never),
      () => service.findExercises(query, options as never),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('weighs at most MAX_DIVERSE_CANDIDATES in a diverse search, the bound the API path uses', async () => {
    const error = await service.findDiverseExercises('chest', { candidates: MAX_DIVERSE_CANDIDATES + 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('candidates');
    expect((await service.findDiverseExercises('chest', { candidates: MAX_DIVERSE_CANDIDATES, limit: 3 })).items).toHaveLength(3);
  });

  it('propagates a provider outage instead of an empty success', async () => {
    embedder.down = true;
    try {
      await expect(service.searchSimilarExercises('chest')).rejects.toBeInstanceOf(UnavailableError);
      await expect(service.findExercises('chest')).rejects.toBeInstanceOf(UnavailableError);
      await expect(service.storeEmbedding(rows[0]!)).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      embedder.down = false;
    }
  });

  it('stores and deletes one embedding inside a transaction', async () => {
    await service.deleteEmbedding(rows[0]!.id);
    expect((await service.getCollectionInfo()).vectors_count).toBe(9);
    await t.db.transaction((tx) => service.storeEmbedding(rows[0]!, tx));
    expect((await service.getCollectionInfo()).vectors_count).toBe(10);
  });

  it('rebuilds on reindex after a model change', async () => {
    const other = createOfflineEmbedder();
    const renamed: Embedder = { ...other, model: 'offline:fitness-lexical-v0', embed: other.embed, init: other.init, dimensions: other.dimensions };
    const index = createPgvectorIndex({ db: t.db, model: renamed.model, dimensions: renamed.dimensions });
    const next = bindSearch({ db: t.db, embedder: renamed, index, mirror: null });
    expect(await next.initVectorStore()).toMatchObject({ needsReindex: true });
    await expect(next.searchSimilarExercises('chest')).rejects.toBeInstanceOf(UnavailableError);
    expect((await next.findExercises('chest')).ranker).toBe('fulltext');
    expect(await next.reindex()).toEqual({ embedded: 10, model: 'offline:fitness-lexical-v0', reset: true });
    expect((await next.findExercises('chest')).ranker).toBe('hybrid');
  });
});

describe('search service on a PostgreSQL server without pgvector', () => {
  let t: TestDb;
  let service: BoundSearch;
  beforeAll(async () => {
    t = await openTestDb('postgres-without-pgvector');
    const embedder = createOfflineEmbedder();
    const index = createPgvectorIndex({ db: t.db, model: embedder.model, dimensions: embedder.dimensions });
    service = bindSearch({ db: t.db, embedder, index, mirror: null });
    expect(await service.initVectorStore()).toMatchObject({ available: false });
    await storeExercises(t.db, LIBRARY);
  });
  afterAll(async () => t?.close());

  it('answers hybrid search from full text alone, saying so', async () => {
    const result = await service.findExercises('pecs', { limit: 3 });
    expect(result.ranker).toBe('fulltext');
    expect(result.degraded).toMatch(/no pgvector extension/);
    expect(result.items.length).toBeGreaterThan(0);
    expect(result.items.every((i) => i.exercise.primary_muscles.includes('chest'))).toBe(true);
    expect(result.items[0]!.ranks).toEqual({ fulltext: 1 });
  });

  it('refuses pure vector search with the reason', async () => {
    await expect(service.searchSimilarExercises('pecs')).rejects.toThrow(/Search by meaning is unavailable: The PostgreSQL server has no pgvector/);
    await expect(service.searchSimilarExercises('pecs')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('still picks diverse results without vectors', async () => {
    expect((await service.searchDiverseExercises('chest', { limit: 2 })).length).toBe(2);
  });

});

describe('hybrid search on a large library', () => {
  let t: TestDb;
  afterAll(async () => t?.close());

  it('re-ranks the vector candidates with full text and finds the same best hits', async () => {
    t = await openTestDb('pglite');
    const embedder = createOfflineEmbedder();
    const index = createPgvectorIndex({ db: t.db, model: embedder.model, dimensions: embedder.dimensions });
    const small = bindSearch({ db: t.db, embedder, index, mirror: null });
    await small.initVectorStore();
    await storeExercises(t.db, LIBRARY);
    await small.reindex();
    // Any library above two rows counts as large here, so the bounded path runs.
    const large = bindSearch({ db: t.db, embedder, index, mirror: null, searchTuning: { fulltextScanMaxRows: 2 } });
    for (const query of ['loosen the hamstrings', 'pectorals with a pulley', 'isometric abs']) {
      const expected = await small.findExercises(query, { limit: 3 });
      const got = await large.findExercises(query, { limit: 3 });
      expect(got.ranker).toBe('hybrid');
      expect(got.items[0]!.exercise.exercise_name).toBe(expected.items[0]!.exercise.exercise_name);
      expect(got.items[0]!.ranks.fulltext).toBeDefined();
    }
  });
});
