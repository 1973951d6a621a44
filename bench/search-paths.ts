/**
 * The two search paths side by side on the embedded database: the database path (full text and
 * pgvector inside PGlite) and the in-memory path (src/search/memory: exact scans over a snapshot
 * of the library), on the catalogue and on synthetic libraries built around it (bench/synthetic.ts).
 * The same service, the same queries, the same results (test/search/memory.test.ts); this measures
 * what each costs, to place MEMORY_SEARCH_MAX_ROWS. PGlite runs in this thread, so a database
 * search's wall-clock time is the engine's own time (the served worker thread only adds to it).
 *
 *   npx tsx bench/run.ts search-paths        (BENCH_SIZES=873,5000,20000 by default; BENCH_ITERATIONS)
 */
import fs from 'node:fs';
import os from 'node:os';
import { storeExercises } from '../src/database/exercises.js';
import { runMigrations } from '../src/database/migrate.js';
import type { MirrorSnapshot } from '../src/database/mirror.js';
import { readSnapshotRows } from '../src/database/snapshot.js';
import type { ExerciseFilters } from '../src/database/types.js';
import { createOfflineEmbedder } from '../src/embeddings/offline.js';
import { SEQUENTIAL } from '../src/search/memory/cosine.js';
import { buildMemoryLibrary } from '../src/search/memory/library.js';
import { findDiverseExercises, findExercises, searchSimilarExercises, type SearchContext } from '../src/services/search.js';
import { initVectorStore, reindex } from '../src/services/vectors.js';
import { mapCatalogueEntry } from '../src/services/catalogue.js';
import { createPgvectorIndex, EMBEDDINGS_TABLE, HNSW_INDEX } from '../src/vectors/pgvector.js';
import { openBenchPglite } from './pglite.js';
import { QUERIES_FILE, readCatalogueFile } from './quality.js';
import { syntheticLibrary } from './synthetic.js';
import { timeIt, type Stats } from './timing.js';

const SIZES = (process.env.BENCH_SIZES ?? '873,5000,20000').split(',').map(Number).filter((n) => n > 0);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100);

const CASES: { label: string; filters?: ExerciseFilters }[] = [
  { label: 'no filter' },
  { label: 'equipment = kettlebells (selective)', filters: { equipment: ['kettlebells'] } },
];


interface Row {
  size: number;
  snapshotMs: number;
  buildMs: number;
  rebuildMs: number;
  results: { label: string; kind: string; db: Stats; memory: Stats }[];
}

async function benchSize(size: number, queries: string[]): Promise<Row> {
  const { db } = await openBenchPglite();
  try {
    await runMigrations(db);
    const embedder = createOfflineEmbedder();
    const index = createPgvectorIndex({ db, model: embedder.model, dimensions: embedder.dimensions });
    let snapshot: MirrorSnapshot | null = null;
    const dbPath: SearchContext = { db, embedder, index, mirror: null };
    const memoryPath: SearchContext = { db, embedder, index, mirror: { read: () => Promise.resolve(snapshot) }, searchTuning: { memorySearchMaxRows: Number.POSITIVE_INFINITY } };
    await initVectorStore(dbPath);
    const catalogue = readCatalogueFile();
    const entries = size > catalogue.length ? syntheticLibrary(catalogue, size) : catalogue.slice(0, size);
    for (let i = 0; i < entries.length; i += 2000) await storeExercises(db, entries.slice(i, i + 2000).map((e) => mapCatalogueEntry(e)));
    // Building the graph once after loading is far faster than inserting into it row by row.
    await db.query(`DROP INDEX ${HNSW_INDEX}`);
    await reindex(dbPath, { batchSize: 1000 });
    await db.exec(`SET maintenance_work_mem = '1GB'`);
    await db.query(`CREATE INDEX ${HNSW_INDEX} ON ${EMBEDDINGS_TABLE} USING hnsw (embedding vector_cosine_ops)`);
    await db.query('ANALYZE');

    const t0 = performance.now();
    const rows = await readSnapshotRows(db);
    const t1 = performance.now();
    const byId = new Map(rows.map((r) => [r.exercise.id, r]));
    // Searches read rows and facts through `get` only, never `byUrl`.
    snapshot = { version: 1, rows, size: rows.length, get: (id) => byId.get(id), byUrl: () => [] };
    const reuse = new WeakMap();
    buildMemoryLibrary(snapshot, SEQUENTIAL, reuse);
    const t2 = performance.now();
    // The mirror's case: one row changed, every other row object carried over to the next version.
    const changed = rows.map((r, i) => (i === 0 ? { ...r } : r));
    buildMemoryLibrary({ version: 2, rows: changed, get: (id) => byId.get(id) }, SEQUENTIAL, reuse);
    const t3 = performance.now();

    const q = (i: number) => queries[i % queries.length]!;
    const results: Row['results'] = [];
    for (const c of CASES) {
      const filters = c.filters ? { filters: c.filters } : {};
      results.push({
        label: c.label,
        kind: 'hybrid (findExercises, top 10)',
        db: await timeIt(ITERATIONS, (i) => findExercises(dbPath, q(i), { limit: 10, ...filters })),
        memory: await timeIt(ITERATIONS, (i) => findExercises(memoryPath, q(i), { limit: 10, ...filters })),
      });
      results.push({
        label: c.label,
        kind: 'vector (searchSimilarExercises, top 10)',
        db: await timeIt(ITERATIONS, (i) => searchSimilarExercises(dbPath, q(i), { limit: 10, ...filters })),
        memory: await timeIt(ITERATIONS, (i) => searchSimilarExercises(memoryPath, q(i), { limit: 10, ...filters })),
      });
    }
    results.push({
      label: 'no filter',
      kind: 'diverse (findDiverseExercises, 10 of 50)',
      db: await timeIt(ITERATIONS, (i) => findDiverseExercises(dbPath, q(i), { limit: 10 })),
      memory: await timeIt(ITERATIONS, (i) => findDiverseExercises(memoryPath, q(i), { limit: 10 })),
    });
    return { size: rows.length, snapshotMs: t1 - t0, buildMs: t2 - t1, rebuildMs: t3 - t2, results };
  } finally {
    await db.close();
  }
}

const ms = (s: Stats) => `${s.p50.toFixed(2)} / ${s.p95.toFixed(2)}`;

export async function runSearchPaths(): Promise<string> {
  const queries = (JSON.parse(fs.readFileSync(QUERIES_FILE, 'utf8')) as { query: string }[]).map((q) => q.query);
  const loadBefore = os.loadavg()[0]!;
  const rows: Row[] = [];
  for (const size of SIZES) {
    console.error(`search-paths: ${size} rows...`);
    rows.push(await benchSize(size, queries));
  }
  const loadAfter = os.loadavg()[0]!;
  return [
    `Offline embedder, in-thread in-memory PGlite + pgvector (HNSW), the ${queries.length} dev queries in turn, ${ITERATIONS} searches per cell after 10 warm-up ones. ` +
      `Times in ms, p50 / p95; "ratio" is memory p50 / database p50 from the same run. Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end, on ${os.cpus().length} cores.`,
    '',
    '| rows | search | filter | database path | memory path | ratio |',
    '|---|---|---|---|---|---|',
    ...rows.flatMap((r) => r.results.map((x) => `| ${r.size} | ${x.kind} | ${x.label} | ${ms(x.db)} | ${ms(x.memory)} | ${(x.memory.p50 / x.db.p50).toFixed(2)} |`)),
    '',
    '| rows | read snapshot (readSnapshotRows) | build derived structures (matrix, norms, inverted index, name order) | rebuild after one row changed |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.size} | ${r.snapshotMs.toFixed(0)} ms | ${r.buildMs.toFixed(0)} ms | ${r.rebuildMs.toFixed(0)} ms |`),
  ].join('\n');
}
