/**
 * Vector search latency and recall@10 by id on pgvector at 10k and 100k rows, with no filter and
 * with broad and selective filters: the per-query plan (exact scan, post-filter of the unfiltered
 * walk's window or iterative HNSW, chosen from the planner's estimate, src/vectors/pgvector-plan.ts),
 * the estimate's own cost, the ratio of filtered to unfiltered p95, and each filter forced through
 * the exact scan and through the graph plans, all measured in the same run. Rows are the catalogue grown by
 * bench/synthetic.ts (seeded variations, not near-copies); server-side timings in process, no HTTP.
 * Built libraries are cached as PGlite data-dir dumps under the OS temp folder, keyed by size,
 * embedder and HNSW parameters, so a rerun skips embedding, loading and the index build. Also the
 * time to import and embed the 873-exercise catalogue.
 *
 *   npx tsx bench/run.ts search-latency        (BENCH_SIZES=10000 for a short run)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Db, Queryable } from '../src/database/db.js';
import { buildExerciseFilter } from '../src/database/filters.js';
import { runMigrations } from '../src/database/migrate.js';
import type { ExerciseFilters } from '../src/database/types.js';
import type { VectorIndex } from '../src/vectors/types.js';
import { createOfflineEmbedder } from '../src/embeddings/offline.js';
import { findExercises, type SearchContext } from '../src/services/search.js';
import { initVectorStore } from '../src/services/vectors.js';
import { createPgvectorIndex, EMBEDDINGS_TABLE, HNSW_INDEX, hnswIndexDdl, vectorLiteral } from '../src/vectors/pgvector.js';
import { INDEX_EF_SEARCH, chooseVectorPlan, createMatchEstimator, EXACT_SCAN_MAX_ROWS, HNSW_PARAMS, POSTFILTER_MARGIN, POSTFILTER_WINDOW } from '../src/vectors/pgvector-plan.js';
import { openBenchPglite } from './pglite.js';
import { loadCatalogue, QUERIES_FILE } from './quality.js';
import { copyVectorsPglite, storeTailRows, tailSet } from './tail-set.js';
import { timeIt, type Stats } from './timing.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number).filter((n) => n > 0);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const HYBRID_ITERATIONS = 65;

const FILTERS: { label: string; filters?: ExerciseFilters }[] = [
  { label: 'none' },
  { label: 'category = strength (broad)', filters: { category: ['strength'] } },
  { label: 'equipment = kettlebells (selective)', filters: { equipment: ['kettlebells'] } },
  { label: 'category = cardio (very selective)', filters: { category: ['cardio'] } },
];

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

function pgliteDb(pglite: PGlite): Db {
  const on = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <T>(text: string, params?: readonly unknown[]) => (await q.query<T>(text, params as unknown[] | undefined)).rows,
    exec: async (text: string) => {
      await q.exec(text);
    },
  });
  return { kind: 'pglite', writeBatchSize: 16, ...on(pglite), transaction: (fn) => pglite.transaction((tx) => fn(on(tx))), close: () => pglite.close() };
}

interface Built {
  db: Db;
  cached: boolean;
  embedSeconds: number;
  loadSeconds: number;
  indexSeconds: number;
}

const cacheFile = (model: string, size: number, what: string) => path.join(os.tmpdir(), 'fb-tail-set', `pglite-${model.replace(/[^a-z0-9.-]+/gi, '_')}-${size}-${what}.tar`);
const openDump = async (file: string) => PGlite.create({ extensions: { vector }, loadDataDir: new Blob([fs.readFileSync(file)]) });
async function writeDump(pglite: PGlite, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
}

/**
 * The library in an in-memory PGlite, from the cheapest cached stage: the indexed dump for these
 * HNSW parameters, else the loaded rows and vectors (index built here), else built from scratch.
 */
async function buildLibrary(size: number, model: string): Promise<Built> {
  const indexed = cacheFile(model, size, `m${HNSW_PARAMS.m}-efc${HNSW_PARAMS.efConstruction}`);
  if (fs.existsSync(indexed)) {
    const db = pgliteDb(await openDump(indexed));
    // A dump made before a newer migration: bring its schema up to date (cheap, no row rewrite).
    await runMigrations(db);
    return { db, cached: true, embedSeconds: 0, loadSeconds: 0, indexSeconds: 0 };
  }
  const base = cacheFile(model, size, 'rows');
  let pglite: PGlite;
  let embedSeconds = 0;
  let loadSeconds = 0;
  if (fs.existsSync(base)) {
    pglite = await openDump(base);
    await runMigrations(pgliteDb(pglite));
  } else {
    const set = await tailSet(size);
    const opened = await openBenchPglite();
    pglite = opened.pglite;
    await runMigrations(opened.db);
    await createPgvectorIndex({ db: opened.db, model, dimensions: set.vectors[0]!.length }).init();
    const t0 = performance.now();
    const ids = await storeTailRows(opened.db, set.rows);
    // Building the graph once after loading is far faster than inserting into it row by row.
    await opened.db.query(`DROP INDEX ${HNSW_INDEX}`);
    await copyVectorsPglite(pglite, ids, set.vectors);
    loadSeconds = (performance.now() - t0) / 1000;
    embedSeconds = set.embedSeconds;
    await writeDump(pglite, base);
  }
  const db = pgliteDb(pglite);
  const t1 = performance.now();
  await db.exec(`SET maintenance_work_mem = '1GB'`);
  await db.query(`DROP INDEX IF EXISTS ${HNSW_INDEX}`);
  await db.query(hnswIndexDdl());
  await db.query('ANALYZE');
  const indexSeconds = (performance.now() - t1) / 1000;
  await writeDump(pglite, indexed);
  return { db, cached: false, embedSeconds, loadSeconds, indexSeconds };
}

interface Row {
  label: string;
  matching: number;
  estimated: number;
  plan: string;
  estimate: Stats;
  search: Stats;
  hybrid: Stats;
  recall: number;
  /** Per window: queries whose top 10 lie within the unfiltered walk's nearest `window` (a post-filter answers them), and their recall. */
  windows: { window: number; answered: number; recall: number }[];
  forced: { exact: Forced; graph: Forced } | undefined;
}

interface Forced {
  search: Stats;
  recall: number;
}

/** Exact top 10 by distance, ties broken by id, so "by id" has one right answer. */
async function exactTop(db: Db, v: number[], filters?: ExerciseFilters): Promise<string[]> {
  const where = buildExerciseFilter(filters ?? {}, { alias: 'e', firstParam: 2 });
  const rows = await db.query<{ id: string }>(
    `SELECT v.exercise_id AS id FROM ${EMBEDDINGS_TABLE} v JOIN exercises e ON e.id = v.exercise_id WHERE ${where.sql}
     ORDER BY (v.embedding <=> $1::vector) + 0, v.exercise_id LIMIT 10`,
    [vectorLiteral(v), ...where.params],
  );
  return rows.map((r) => String(r.id));
}

const WINDOWS = [250, POSTFILTER_WINDOW, INDEX_EF_SEARCH];

/** The unfiltered walk's whole candidate list, nearest first, each row marked by whether it matches. */
async function walkMatches(db: Db, v: number[], filters: ExerciseFilters): Promise<{ id: string; matches: boolean }[]> {
  const where = buildExerciseFilter(filters, { alias: 'e', firstParam: 2 });
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL hnsw.ef_search = ${INDEX_EF_SEARCH}`);
    return tx.query<{ id: string; matches: boolean }>(
      `SELECT c.id, (${where.sql}) AS matches FROM (
         SELECT exercise_id AS id, embedding <=> $1::vector AS distance FROM ${EMBEDDINGS_TABLE} ORDER BY embedding <=> $1::vector LIMIT ${INDEX_EF_SEARCH}
       ) c JOIN exercises e ON e.id = c.id ORDER BY c.distance, c.id`,
      [vectorLiteral(v), ...where.params],
    );
  });
}

/** What a post-filter of each window would answer: how many queries it answers, and their recall@10. */
async function windowAnswers(db: Db, vectors: number[][], truths: Set<string>[], filters: ExerciseFilters, limit: number): Promise<Row['windows']> {
  const lists: { id: string; matches: boolean }[][] = [];
  for (const v of vectors) lists.push(await walkMatches(db, v, filters));
  return WINDOWS.map((window) => {
    let answered = 0;
    let recall = 0;
    lists.forEach((list, i) => {
      const top = list.slice(0, window).filter((r) => r.matches).slice(0, limit);
      if (top.length < limit) return;
      answered++;
      recall += top.filter((r) => truths[i]!.has(String(r.id))).length / Math.max(1, truths[i]!.size);
    });
    return { window, answered, recall: answered ? recall / answered : 0 };
  });
}

const SWEEP = [100, 400, 1000];

/** recall@10 by id and latency of the unfiltered index search at other ef_search values: the basis for INDEX_EF_SEARCH. */
async function efSweep(db: Db, vectors: number[][], truths: Set<string>[]): Promise<{ ef: number; recall: number; latency: Stats }[]> {
  const out = [];
  for (const ef of SWEEP) {
    const top = (v: number[]) =>
      db.transaction(async (tx) => {
        await tx.query(`SET LOCAL hnsw.ef_search = ${ef}`);
        return tx.query<{ id: string }>(`SELECT exercise_id AS id FROM ${EMBEDDINGS_TABLE} ORDER BY embedding <=> $1::vector LIMIT 10`, [vectorLiteral(v)]);
      });
    let recall = 0;
    for (let i = 0; i < vectors.length; i++) recall += (await top(vectors[i]!)).filter((r) => truths[i]!.has(String(r.id))).length / 10;
    out.push({ ef, recall: recall / vectors.length, latency: await timeIt(vectors.length, (i) => top(vectors[i % vectors.length]!)) });
  }
  return out;
}

async function benchSize(size: number, queries: string[]): Promise<{ size: number; built: Omit<Built, 'db'>; rows: Row[]; sweep: Awaited<ReturnType<typeof efSweep>> }> {
  const embedder = createOfflineEmbedder();
  const { db, ...built } = await buildLibrary(size, embedder.model);
  try {
    const index = createPgvectorIndex({ db, model: embedder.model, dimensions: embedder.dimensions });
    const service: SearchContext = { db, embedder, index, mirror: null };
    await initVectorStore(service);
    const vectors = await embedder.embed(queries, 'query');
    const rows: Row[] = [];
    let sweep: Awaited<ReturnType<typeof efSweep>> = [];
    for (const f of FILTERS) {
      const opts = { limit: 10, ...(f.filters ? { filters: f.filters } : {}) };
      const where = buildExerciseFilter(f.filters ?? {}, { alias: 'e' });
      const [{ n: matching } = { n: 0 }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM exercises e WHERE ${where.sql}`, where.params);
      const estimateMatches = createMatchEstimator();
      const estimate = await estimateMatches(db, where);
      const plan = chooseVectorPlan({ filtered: !!f.filters, limit: 10, ...estimate });
      const truths: Set<string>[] = [];
      for (const v of vectors) truths.push(new Set(await exactTop(db, v, f.filters)));
      const recallOf = async (ix: VectorIndex) => {
        let sum = 0;
        for (let i = 0; i < vectors.length; i++) sum += (await ix.search(vectors[i]!, opts)).filter((h) => truths[i]!.has(h.id)).length / Math.max(1, truths[i]!.size);
        return sum / vectors.length;
      };
      const recall = await recallOf(index);
      const windows = f.filters ? await windowAnswers(db, vectors, truths, f.filters, opts.limit) : [];
      if (!f.filters) sweep = await efSweep(db, vectors, truths);
      // Each filter through the exact scan and through the graph plans, whatever the estimate: the basis for the cut-off.
      const force = async (limits: { exactScanMaxRows: number; postfilterWindow?: number }): Promise<Forced> => {
        const forcedIndex = createPgvectorIndex({ db, model: embedder.model, dimensions: embedder.dimensions, ...limits });
        await forcedIndex.init();
        return { recall: await recallOf(forcedIndex), search: await timeIt(vectors.length, (i) => forcedIndex.search(vectors[i]!, opts)) };
      };
      const forced = f.filters ? { exact: await force({ exactScanMaxRows: Number.POSITIVE_INFINITY, postfilterWindow: 0 }), graph: await force({ exactScanMaxRows: 0 }) } : undefined;
      rows.push({
        label: f.label,
        matching,
        estimated: Math.round(estimate.estimatedRows),
        plan: planLabel(plan, !!f.filters),
        estimate: f.filters ? await timeIt(ITERATIONS, () => estimateMatches(db, where)) : { p50: 0, p95: 0 },
        search: await timeIt(ITERATIONS, (i) => index.search(vectors[i % vectors.length]!, opts)),
        hybrid: await timeIt(HYBRID_ITERATIONS, (i) => findExercises(service, queries[i % queries.length]!, opts)),
        recall,
        windows,
        forced,
      });
    }
    return { size, built, rows, sweep };
  } finally {
    await db.close();
  }
}

const ms = (s: Stats) => `${s.p50.toFixed(2)} / ${s.p95.toFixed(2)}`;

function planLabel(plan: ReturnType<typeof chooseVectorPlan>, filtered: boolean): string {
  if (plan.kind === 'exact') return `exact scan${plan.byKey ? ', vectors by key' : ', hash join'}`;
  if (!filtered) return `HNSW, ef_search ${plan.efSearch}`;
  const graph = `iterative HNSW (ef_search ${plan.efSearch}), else exact scan`;
  return plan.kind === 'postfilter' ? `post-filter of the HNSW walk's nearest ${plan.window}, else ${graph}` : graph;
}

export async function runSearchLatency(): Promise<string> {
  const queries = (JSON.parse(fs.readFileSync(QUERIES_FILE, 'utf8')) as { query: string }[]).map((q) => q.query);
  const loadBefore = load();
  const catalogue = await loadCatalogue();
  await catalogue.db.close();
  const results = [];
  for (const size of SIZES) {
    console.error(`search-latency: ${size} rows...`);
    results.push(await benchSize(size, queries));
  }
  const embedder = createOfflineEmbedder();
  const ratios = results.flatMap((r) => {
    const none = r.rows[0]!.search.p95;
    return r.rows.slice(1).map((row) => `${r.size} rows, ${row.label}: p95 ${row.search.p95.toFixed(2)} / ${none.toFixed(2)} ms = **${(row.search.p95 / none).toFixed(2)}x**`);
  });
  return [
    `Offline embedder (${embedder.model}, ${embedder.dimensions} dims), in-memory PGlite + pgvector, HNSW (m ${HNSW_PARAMS.m}, ef_construction ${HNSW_PARAMS.efConstruction}, cosine), ` +
      `index scans at ef_search ${INDEX_EF_SEARCH}; a filtered search post-filters the unfiltered walk's nearest ${POSTFILTER_WINDOW} when they are expected ` +
      `to hold ${POSTFILTER_MARGIN} x the limit, else runs an exact scan up to ${EXACT_SCAN_MAX_ROWS.toLocaleString('en')} estimated matching rows, else the iterative scan. Rows: the catalogue grown by bench/synthetic.ts (seed 7). ` +
      `Top 10; vector search ${ITERATIONS} searches and hybrid ${HYBRID_ITERATIONS} per row, over the ${queries.length} dev queries' embeddings. Times in ms, p50 / p95. ` +
      `recall@10 by id against an exact scan (ties broken by id) over the ${queries.length} queries. "estimate" is the planner lookup that picks the plan (src/vectors/pgvector-plan.ts). ` +
      `Load average (1 / 5 / 15 min) at start: ${loadBefore}; at end: ${load()}.`,
    '',
    `Import + embed of the ${catalogue.catalogueIdOf.size}-exercise catalogue (storeExercises, then reindex in batches of 256): ` +
      `**${((catalogue.importMs + catalogue.embedMs) / 1000).toFixed(2)} s** (import ${(catalogue.importMs / 1000).toFixed(2)} s, embed + upsert ${(catalogue.embedMs / 1000).toFixed(2)} s).`,
    '',
    '| rows | filter | matching rows | planner estimate | plan | estimate cost | vector search | hybrid (embed + full text + vector + fusion + rows) | recall@10 by id |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.flatMap((r) =>
      r.rows.map((l) => `| ${r.size} | ${l.label} | ${l.matching} | ${l.estimated} | ${l.plan} | ${l.label === 'none' ? '—' : ms(l.estimate)} | ${ms(l.search)} | ${ms(l.hybrid)} | ${l.recall.toFixed(3)} |`),
    ),
    '',
    `Filtered / unfiltered vector search p95 (target <= 2x at 100k): ${ratios.join('; ')}.`,
    '',
    `Each filter forced through the exact scan, and through the graph plans (post-filter of the walk's nearest ${POSTFILTER_WINDOW} when the ` +
      `estimate allows it, else the iterative scan; each falls back to the next when short), same run; p50 / p95 ms over one search per dev query; ratio = p95 / unfiltered p95. ` +
      `"window N": of the ${queries.length} dev queries, those whose filtered top 10 lie within the unfiltered walk's nearest N (a post-filter of N answers them), and their recall@10 by id.`,
    '',
    `| rows | filter | ${WINDOWS.map((w) => `window ${w}`).join(' | ')} | exact scan | recall | ratio | graph plans | recall | ratio |`,
    `|---|---|${WINDOWS.map(() => '---|').join('')}---|---|---|---|---|---|`,
    ...results.flatMap((r) =>
      r.rows.flatMap((l) => {
        if (!l.forced) return [];
        const ratio = (st: Stats) => `${(st.p95 / r.rows[0]!.search.p95).toFixed(2)}x`;
        const { exact, graph } = l.forced;
        return [`| ${r.size} | ${l.label} | ${l.windows.map((w) => `${w.answered}; ${w.recall.toFixed(3)}`).join(' | ')} | ${ms(exact.search)} | ${exact.recall.toFixed(3)} | ${ratio(exact.search)} | ${ms(graph.search)} | ${graph.recall.toFixed(3)} | ${ratio(graph.search)} |`];
      }),
    ),
    '',
    `Unfiltered index search at other \`hnsw.ef_search\` values (recall@10 by id; p50 / p95 ms over the ${queries.length} queries), same run:`,
    '',
    '| rows | ' + SWEEP.map((ef) => `ef_search ${ef}`).join(' | ') + ' |',
    '|---|' + SWEEP.map(() => '---|').join(''),
    ...results.map((r) => `| ${r.size} | ` + r.sweep.map((x) => `${x.recall.toFixed(3)}; ${ms(x.latency)}`).join(' | ') + ' |'),
    '',
    '| rows | built | embed (s) | load rows + COPY vectors (s) | HNSW build + ANALYZE (s) |',
    '|---|---|---|---|---|',
    ...results.map((r) =>
      r.built.cached
        ? `| ${r.size} | from cache (a dump of an earlier run's build with the same parameters) | — | — | — |`
        : `| ${r.size} | ${r.built.loadSeconds ? 'this run' : 'index built this run on cached rows + vectors'} | ${r.built.embedSeconds ? r.built.embedSeconds.toFixed(1) : '—'} | ${r.built.loadSeconds ? r.built.loadSeconds.toFixed(1) : '—'} | ${r.built.indexSeconds.toFixed(1)} |`,
    ),
  ].join('\n');
}
