/**
 * Search quality on the free-exercise-db development set: imports the 873-exercise catalogue into
 * an in-memory PGlite, embeds it with the offline embedder, runs the 65 dev queries and prints
 * nDCG@10, recall@20 and capped recall@20 (relevant / min(|relevant|, 20)) for the full-text,
 * vector and hybrid rankers. Gain is the graded judgment (2 or 1), linear.
 *
 *   npm run bench:quality                  (BENCH_VERBOSE=1 adds per-query rows)
 *   FB_CATALOGUE=... FB_QUERIES=...        override the data files
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPglite, type Db } from '../src/database/db.js';
import { storeExercises } from '../src/database/exercises.js';
import { runMigrations } from '../src/database/migrate.js';
import { createOfflineEmbedder } from '../src/embeddings/offline.js';
import type { Embedder } from '../src/embeddings/types.js';
import { rankFulltext } from '../src/search/fulltext.js';
import { createSearchService, type SearchService } from '../src/search/service.js';
import { mapCatalogueEntry, type CatalogueEntry } from '../src/services/catalogue.js';
import { createPgvectorIndex } from '../src/vectors/pgvector.js';
import type { VectorIndex } from '../src/vectors/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA_DIR = path.resolve(here, '../../shared/data/free-exercise-db');
export const CATALOGUE_FILE = process.env.FB_CATALOGUE ?? path.join(DATA_DIR, 'exercises.json');
export const QUERIES_FILE = process.env.FB_QUERIES ?? path.join(DATA_DIR, 'queries-dev.json');

interface Judged {
  id: string;
  query: string;
  relevant: Record<string, number>;
}

export interface LoadedCatalogue {
  db: Db;
  embedder: Embedder;
  index: VectorIndex;
  service: SearchService;
  /** exercise uuid -> catalogue id */
  catalogueIdOf: Map<string, string>;
  importMs: number;
  embedMs: number;
}

export function readCatalogueFile(file = CATALOGUE_FILE): CatalogueEntry[] {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CatalogueEntry[];
}

/** The catalogue in a fresh in-memory database, imported and embedded the way the service does it. */
export async function loadCatalogue(entries = readCatalogueFile()): Promise<LoadedCatalogue> {
  const db = await openPglite({ dataDir: undefined });
  await runMigrations(db);
  const embedder = createOfflineEmbedder();
  const index = createPgvectorIndex({ db, model: embedder.model, dimensions: embedder.dimensions });
  const weights = process.env.FB_WEIGHTS?.split(',').map(Number);
  const service = createSearchService({ db, embedder, index, ...(weights ? { weights: { fulltext: weights[0]!, vector: weights[1]! } } : {}) });
  await service.initVectorStore();
  const t0 = performance.now();
  const stored = await storeExercises(db, entries.map((e) => mapCatalogueEntry(e)));
  const t1 = performance.now();
  await service.reindex({ batchSize: 256 });
  const t2 = performance.now();
  const catalogueIdOf = new Map(stored.map((e) => [e.id, e.normalized_url.replace(/^catalogue:\/\/[^/]+\//, '')]));
  return { db, embedder, index, service, catalogueIdOf, importMs: t1 - t0, embedMs: t2 - t1 };
}

export function ndcgAt(ranked: readonly string[], relevant: Record<string, number>, k: number): number {
  const dcg = ranked.slice(0, k).reduce((sum, id, i) => sum + (relevant[id] ?? 0) / Math.log2(i + 2), 0);
  const ideal = Object.values(relevant)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

export function recallAt(ranked: readonly string[], relevant: Record<string, number>, k: number, capped: boolean): number {
  const total = Object.values(relevant).filter((g) => g > 0).length;
  const found = ranked.slice(0, k).filter((id) => (relevant[id] ?? 0) > 0).length;
  const denominator = capped ? Math.min(total, k) : total;
  return denominator === 0 ? 0 : found / denominator;
}

type Ranker = 'fulltext' | 'vector' | 'hybrid';

async function rank(c: LoadedCatalogue, ranker: Ranker, query: string): Promise<string[]> {
  let ids: string[];
  if (ranker === 'fulltext') ids = (await rankFulltext(c.db, query, { limit: 20 })).map((h) => h.id);
  else if (ranker === 'vector') ids = (await c.service.searchSimilarExercises(query, { limit: 20 })).map((h) => h.exercise.id);
  else ids = (await c.service.findExercises(query, { limit: 20 })).items.map((h) => h.exercise.id);
  return ids.map((id) => c.catalogueIdOf.get(id) ?? id);
}

export interface QualityRow {
  ranker: Ranker;
  ndcg10: number;
  recall20: number;
  cappedRecall20: number;
}

export async function runQuality(verbose = false): Promise<{ rows: QualityRow[]; queries: number; importMs: number; embedMs: number }> {
  const queries = JSON.parse(fs.readFileSync(QUERIES_FILE, 'utf8')) as Judged[];
  const c = await loadCatalogue();
  const rows: QualityRow[] = [];
  const perQuery = new Map<string, Record<Ranker, number>>();
  try {
    for (const ranker of ['fulltext', 'vector', 'hybrid'] as const) {
      let ndcg = 0;
      let recall = 0;
      let capped = 0;
      for (const q of queries) {
        const ranked = await rank(c, ranker, q.query);
        const n = ndcgAt(ranked, q.relevant, 10);
        ndcg += n;
        recall += recallAt(ranked, q.relevant, 20, false);
        capped += recallAt(ranked, q.relevant, 20, true);
        const entry = perQuery.get(q.id) ?? ({} as Record<Ranker, number>);
        entry[ranker] = n;
        perQuery.set(q.id, entry);
      }
      rows.push({ ranker, ndcg10: ndcg / queries.length, recall20: recall / queries.length, cappedRecall20: capped / queries.length });
    }
  } finally {
    await c.db.close();
  }
  if (verbose) {
    for (const q of queries) {
      const r = perQuery.get(q.id)!;
      console.log(`${q.id}  ft ${r.fulltext.toFixed(2)}  vec ${r.vector.toFixed(2)}  hyb ${r.hybrid.toFixed(2)}  ${q.query}`);
    }
  }
  return { rows, queries: queries.length, importMs: c.importMs, embedMs: c.embedMs };
}

export function qualityTable(result: Awaited<ReturnType<typeof runQuality>>): string {
  const lines = [
    `Dev set: ${result.queries} queries, 873 exercises, offline embedder (offline:fitness-lexical-v1).`,
    '',
    '| ranker | nDCG@10 | recall@20 | capped recall@20 |',
    '|---|---|---|---|',
    ...result.rows.map((r) => `| ${r.ranker} | ${r.ndcg10.toFixed(3)} | ${r.recall20.toFixed(3)} | ${r.cappedRecall20.toFixed(3)} |`),
  ];
  return lines.join('\n');
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const result = await runQuality(process.env.BENCH_VERBOSE === '1');
  console.log(qualityTable(result));
}
