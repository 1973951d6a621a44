/**
 * Search quality on the free-exercise-db development set: imports the 873-exercise catalogue into
 * an in-memory PGlite, embeds it with the offline embedder, runs the 65 dev queries and prints
 * nDCG@10, recall@20 and capped recall@20 (relevant / min(|relevant|, 20)) for the full-text,
 * vector and hybrid rankers. Gain is the graded judgment (2 or 1), linear.
 *
 * Hybrid (the served ranker) is reported twice: with the served defaults, and 5-fold
 * cross-validated: the tunable weights (fusion weight of full text, category prior) are chosen on
 * four folds of queries and scored on the fifth, fixed seed. The cross-validated figure is the
 * headline. With --large the same is measured on a synthetic library of 30,000 rows built around
 * the catalogue (bench/synthetic.ts), where the large-library ranking path runs; synthetic rows are
 * graded by the same rules as the catalogue (bench/judgments.ts).
 *
 *   npm run bench:quality                  (BENCH_VERBOSE=1 adds per-query rows)
 *   npm run bench:quality -- --large       also the large library (BENCH_LARGE_ROWS, default 30000)
 *   FB_CATALOGUE=... FB_QUERIES=...        override the data files
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db } from '../src/database/db.js';
import { openPglite } from '../src/database/pglite.js';
import { storeExercises } from '../src/database/exercises.js';
import { runMigrations } from '../src/database/migrate.js';
import { createOfflineEmbedder, OFFLINE_MODEL } from '../src/embeddings/offline.js';
import type { Embedder } from '../src/embeddings/types.js';
import { candidateFacts } from '../src/search/facts.js';
import { rankFulltext } from '../src/search/fulltext.js';
import { compareByName, HYBRID_PARAMS, queryIntent, rankHybrid, type CandidateFacts, type HybridParams } from '../src/search/hybrid.js';
import { findExercises, type SearchContext } from '../src/services/search.js';
import { initVectorStore, reindex } from '../src/services/vectors.js';
import { mapCatalogueEntry, type CatalogueEntry } from '../src/services/catalogue.js';
import { createPgvectorIndex } from '../src/vectors/pgvector.js';
import type { VectorIndex } from '../src/vectors/types.js';
import { compileRule, kFolds } from './judgments.js';
import { syntheticLibrary } from './synthetic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA_DIR = path.resolve(here, '../../shared/data/free-exercise-db');
export const CATALOGUE_FILE = process.env.FB_CATALOGUE ?? path.join(DATA_DIR, 'exercises.json');
export const QUERIES_FILE = process.env.FB_QUERIES ?? path.join(DATA_DIR, 'queries-dev.json');

interface Judged {
  id: string;
  query: string;
  rule: string;
  relevant: Record<string, number>;
}

export interface LoadedCatalogue {
  db: Db;
  embedder: Embedder;
  index: VectorIndex;
  service: SearchContext;
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
  const service: SearchContext = { db, embedder, index, mirror: null };
  await initVectorStore(service);
  const t0 = performance.now();
  const stored = [];
  for (let i = 0; i < entries.length; i += 2000) stored.push(...(await storeExercises(db, entries.slice(i, i + 2000).map((e) => mapCatalogueEntry(e)))));
  const t1 = performance.now();
  await reindex(service, { batchSize: 256 });
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

interface Scores {
  ndcg10: number;
  recall20: number;
  cappedRecall20: number;
}

function score(ranked: readonly string[], relevant: Record<string, number>): Scores {
  return { ndcg10: ndcgAt(ranked, relevant, 10), recall20: recallAt(ranked, relevant, 20, false), cappedRecall20: recallAt(ranked, relevant, 20, true) };
}

function mean(list: readonly Scores[]): Scores {
  const n = Math.max(1, list.length);
  return {
    ndcg10: list.reduce((s, x) => s + x.ndcg10, 0) / n,
    recall20: list.reduce((s, x) => s + x.recall20, 0) / n,
    cappedRecall20: list.reduce((s, x) => s + x.cappedRecall20, 0) / n,
  };
}

export interface QualityRow extends Scores {
  ranker: string;
}

/** The tunables and the values cross-validation chooses among (fusion weights are relative: vector stays 1). */
const GRID = {
  fulltext: [0.25, 0.5, 0.75, 1],
  categoryPrior: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
};
const FOLDS = 5;
const SEED = 13;
const DEPTH = 100;

type Params = Pick<HybridParams, 'fulltext' | 'vector' | 'categoryPrior'>;
const grid: Params[] = GRID.fulltext.flatMap((fulltext) => GRID.categoryPrior.map((categoryPrior) => ({ fulltext, vector: 1, categoryPrior })));

interface Retrieved {
  fulltext: { id: string; score: number }[];
  vector: { id: string; score: number }[];
  facts: Map<string, CandidateFacts>;
}

async function retrieve(c: LoadedCatalogue, query: string): Promise<Retrieved> {
  const [vector] = await c.embedder.embed([query], 'query');
  const fulltext = (await rankFulltext(c.db, query, { limit: DEPTH })).map((h) => ({ id: h.id, score: h.rank }));
  const semantic = await c.index.search(vector!, { limit: DEPTH });
  const facts = await candidateFacts(c.db, [...fulltext.map((h) => h.id), ...semantic.map((h) => h.id)]);
  return { fulltext, vector: semantic, facts };
}

function hybridOrder(r: Retrieved, query: string, p: Params): string[] {
  const lists = [
    { name: 'fulltext', weight: p.fulltext, hits: r.fulltext },
    { name: 'vector', weight: p.vector, hits: r.vector },
  ];
  return rankHybrid(lists, r.facts, queryIntent(query), { categoryPrior: p.categoryPrior, negationPenalty: HYBRID_PARAMS.negationPenalty })
    .slice(0, 20)
    .map((h) => h.id);
}

function stableTop(hits: { id: string; score: number }[], facts: Map<string, CandidateFacts>): string[] {
  const named = (id: string) => ({ id, name: facts.get(id)?.name ?? '' });
  return [...hits].sort((a, b) => b.score - a.score || compareByName(named(a.id), named(b.id))).slice(0, 20).map((h) => h.id);
}

export interface QualityResult {
  rows: QualityRow[];
  queries: number;
  exercises: number;
  chosen: Params[];
  perQuery: { id: string; query: string; fulltext: number; vector: number; hybrid: number }[];
}

/** Quality of each ranker on a loaded library, graded by `grade` (catalogue id -> grade per query). */
async function measure(c: LoadedCatalogue, queries: Judged[], exercises: number, large = false): Promise<QualityResult> {
  const toCatalogue = (ids: string[]) => ids.map((id) => c.catalogueIdOf.get(id) ?? id);
  const perQuery: QualityResult['perQuery'] = [];
  const ft: Scores[] = [];
  const vec: Scores[] = [];
  const served: Scores[] = [];
  const byParams = new Map<string, Scores[]>(grid.map((p) => [JSON.stringify(p), []]));
  for (const q of queries) {
    const r = await retrieve(c, q.query);
    const f = score(toCatalogue(stableTop(r.fulltext, r.facts)), q.relevant);
    const v = score(toCatalogue(stableTop(r.vector, r.facts)), q.relevant);
    const h = score(toCatalogue((await findExercises(c.service, q.query, { limit: 20 })).items.map((i) => i.exercise.id)), q.relevant);
    ft.push(f);
    vec.push(v);
    served.push(h);
    perQuery.push({ id: q.id, query: q.query, fulltext: f.ndcg10, vector: v.ndcg10, hybrid: h.ndcg10 });
    if (!large) for (const p of grid) byParams.get(JSON.stringify(p))!.push(score(toCatalogue(hybridOrder(r, q.query, p)), q.relevant));
  }
  const rows: QualityRow[] = [
    { ranker: 'fulltext', ...mean(ft) },
    { ranker: 'vector', ...mean(vec) },
    { ranker: large ? 'hybrid (served: large-library path)' : 'hybrid (served defaults)', ...mean(served) },
  ];
  const chosen: Params[] = [];
  if (!large) {
    const index = new Map(queries.map((q, i) => [q.id, i]));
    const folds = kFolds(queries.map((q) => q.id), FOLDS, SEED);
    const held: Scores[] = [];
    for (const fold of folds) {
      const test = new Set(fold);
      const train = queries.filter((q) => !test.has(q.id)).map((q) => index.get(q.id)!);
      const best = bestOn(train, byParams);
      chosen.push(best);
      for (const id of fold) held.push(byParams.get(JSON.stringify(best))![index.get(id)!]!);
    }
    rows.push({ ranker: `**hybrid, ${FOLDS}-fold cross-validated**`, ...mean(held) });
    chosen.push(bestOn(queries.map((_, i) => i), byParams));
  }
  return { rows, queries: queries.length, exercises, chosen, perQuery };
}

/** The grid point with the best mean nDCG@10 over the given queries (the first on a tie). */
function bestOn(queries: readonly number[], byParams: Map<string, Scores[]>): Params {
  let best = grid[0]!;
  let bestScore = -1;
  for (const p of grid) {
    const s = byParams.get(JSON.stringify(p))!;
    const m = queries.reduce((sum, i) => sum + s[i]!.ndcg10, 0) / queries.length;
    if (m > bestScore + 1e-12) [best, bestScore] = [p, m];
  }
  return best;
}

export function readQueries(): Judged[] {
  return JSON.parse(fs.readFileSync(QUERIES_FILE, 'utf8')) as Judged[];
}

export async function runQuality(): Promise<QualityResult> {
  const queries = readQueries();
  const entries = readCatalogueFile();
  const c = await loadCatalogue(entries);
  try {
    return await measure(c, queries, entries.length);
  } finally {
    await c.db.close();
  }
}

/** The same queries on a synthetic library large enough for the large-library path; every row graded by the query's rule. */
export async function runLargeQuality(rows = Number(process.env.BENCH_LARGE_ROWS ?? 30_000)): Promise<QualityResult & { importS: number; embedS: number }> {
  const entries = syntheticLibrary(readCatalogueFile(), rows);
  const queries = readQueries().map((q) => {
    const grade = compileRule(q.rule);
    const relevant: Record<string, number> = {};
    for (const e of entries) {
      const g = grade(e);
      if (g > 0) relevant[e.id] = g;
    }
    return { ...q, relevant };
  });
  const c = await loadCatalogue(entries);
  try {
    const result = await measure(c, queries, entries.length, true);
    return { ...result, importS: c.importMs / 1000, embedS: c.embedMs / 1000 };
  } finally {
    await c.db.close();
  }
}

const fmt = (r: QualityRow) => `| ${r.ranker} | ${r.ndcg10.toFixed(3)} | ${r.recall20.toFixed(3)} | ${r.cappedRecall20.toFixed(3)} |`;
const HEADER = ['| ranker | nDCG@10 | recall@20 | capped recall@20 |', '|---|---|---|---|'];

export function qualityTable(result: QualityResult): string {
  const show = (p: Params) => `full text ${p.fulltext} : vector ${p.vector}, category prior ${p.categoryPrior}`;
  const choices = result.chosen.slice(0, FOLDS).map(show);
  const all = result.chosen[FOLDS];
  return [
    `Dev set: ${result.queries} queries, ${result.exercises} exercises, offline embedder (${OFFLINE_MODEL}). Each ranker's top 20; ties broken by name, then id.`,
    `Served defaults: fusion full text ${HYBRID_PARAMS.fulltext} : vector ${HYBRID_PARAMS.vector}, category prior ${HYBRID_PARAMS.categoryPrior}, negation penalty ${HYBRID_PARAMS.negationPenalty} (set, not fitted).`,
    `Cross-validation: ${FOLDS} folds of queries (seed ${SEED}); on each, the fusion weight of full text (${GRID.fulltext.join(', ')}; vector 1) and the category prior (${GRID.categoryPrior.join(', ')}) are chosen by mean nDCG@10 on the other four folds and scored on the held-out fold. Chosen per fold: ${choices.join('; ')}.${all ? ` Chosen on all ${result.queries} queries (what the served defaults should be): ${show(all)}.` : ''}`,
    '',
    ...HEADER,
    ...result.rows.map(fmt),
  ].join('\n');
}

export function largeQualityTable(result: Awaited<ReturnType<typeof runLargeQuality>>): string {
  return [
    `Large library: the ${result.queries} dev queries on ${result.exercises} rows (the catalogue plus synthetic variations of it, bench/synthetic.ts, seeded), every row graded by the query's own rule; import ${result.importS.toFixed(0)} s, embed ${result.embedS.toFixed(0)} s. Above ${(20_000).toLocaleString('en')} rows the served hybrid lets full text re-rank only the vector side's candidates; full text and vector here are each ranker over the whole library. No weight is refitted for this library.`,
    '',
    ...HEADER,
    ...result.rows.map(fmt),
  ].join('\n');
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const result = await runQuality();
  if (process.env.BENCH_VERBOSE === '1') {
    for (const q of result.perQuery) console.log(`${q.id}  ft ${q.fulltext.toFixed(2)}  vec ${q.vector.toFixed(2)}  hyb ${q.hybrid.toFixed(2)}  ${q.query}`);
  }
  console.log(qualityTable(result));
  if (process.argv.includes('--large')) console.log(`\n${largeQualityTable(await runLargeQuality())}`);
}
