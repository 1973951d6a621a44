import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeExercises } from '../../src/database/exercises.js';
import { createOfflineEmbedder } from '../../src/embeddings/offline.js';
import { rankFulltext } from '../../src/search/fulltext.js';
import { mapCatalogueEntry, type CatalogueEntry } from '../../src/services/catalogue.js';
import { createPgvectorIndex } from '../../src/vectors/pgvector.js';
import { BACKENDS, openTestDb, type TestDb } from '../helpers/db.js';
import { bindSearch, type BoundSearch } from '../helpers/search.js';

const CATALOGUE = path.resolve(import.meta.dirname, '../../../shared/data/free-exercise-db/exercises.json');
// Half the catalogue keeps the test quick while keeping its many near-identical rows (ties).
const ENTRIES = (JSON.parse(fs.readFileSync(CATALOGUE, 'utf8')) as CatalogueEntry[]).filter((_, i) => i % 2 === 0);

const QUERIES = [
  'quads',
  'pectoral training with a pulley',
  'hamstring stretch',
  'ab moves for a novice, zero equipment',
  'something harder than beginner rows',
  'the toughest shoulder moves',
  'calves, not a stretch',
  'legs without jumping',
  'skip the barbell, back day',
  'get better at chin-ups',
  'good mornings',
  "farmer's walk",
  'kettlebell',
  'single-joint arm isolation',
  'pull-focused drills',
  'static holds for the trunk',
  'explosive plyo drills',
  'olympic lifting practice',
  'foam roller for the upper back',
  'stretch',
  'strength',
  'press',
];

async function library(backend: (typeof BACKENDS)[number], entries: CatalogueEntry[]): Promise<{ t: TestDb; service: BoundSearch }> {
  const t = await openTestDb(backend);
  const embedder = createOfflineEmbedder();
  const index = createPgvectorIndex({ db: t.db, model: embedder.model, dimensions: embedder.dimensions });
  const service = bindSearch({ db: t.db, embedder, index, mirror: null });
  await service.initVectorStore();
  await storeExercises(t.db, entries.map((e) => mapCatalogueEntry(e)));
  await service.reindex({ batchSize: 256 });
  return { t, service };
}

describe.each(BACKENDS)('rankings are reproducible across imports on %s', (backend) => {
  let first: Awaited<ReturnType<typeof library>>;
  let second: Awaited<ReturnType<typeof library>>;

  beforeAll(async () => {
    // The same catalogue twice, the second time in reverse order: other ids, other insertion order.
    first = await library(backend, ENTRIES);
    second = await library(backend, [...ENTRIES].reverse());
  }, 180_000);
  afterAll(async () => {
    await first?.t.close();
    await second?.t.close();
  });

  it.each(QUERIES)('%s: same order from every ranker', async (query) => {
    const orders = async ({ t, service }: typeof first) => {
      const names = (items: { exercise: { exercise_name: string } }[]) => items.map((i) => i.exercise.exercise_name);
      return {
        hybrid: names((await service.findExercises(query, { limit: 30 })).items),
        vector: names(await service.searchSimilarExercises(query, { limit: 30 })),
        diverse: names(await service.searchDiverseExercises(query, { limit: 8 })),
        fulltext: (await rankFulltext(t.db, query, { limit: 30 })).map((h) => h.name),
      };
    };
    const a = await orders(first);
    expect(a.hybrid.length).toBeGreaterThan(0);
    expect(await orders(second)).toEqual(a);
  });

  it('a query that shares nothing with the library returns only rows with some similarity, in the same order', async () => {
    const a = await first.service.searchSimilarExercises('xyzzy', { limit: 30 });
    expect(a.every((h) => h.score > 0)).toBe(true);
    expect(a.length).toBeLessThan(30);
    const b = await second.service.searchSimilarExercises('xyzzy', { limit: 30 });
    expect(b.map((h) => h.exercise.exercise_name)).toEqual(a.map((h) => h.exercise.exercise_name));
  });
});
