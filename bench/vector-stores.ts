/**
 * The three vector stores side by side: pgvector in PGlite, pgvector on the PostgreSQL server and
 * Qdrant (a real 1.16.3 server, the test helper's), over the same rows and vectors: p50/p95 of a
 * top-10 search with no filter, a broad and a selective filter, recall@10 against an exact scan;
 * then the catalogue import with the outbox (Qdrant) against pgvector, and outbox lag under a
 * steady write load.
 *
 *   npx tsx bench/run.ts vector-stores        (BENCH_SIZES=10000 for a short run)
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { openPostgres, type Db } from '../src/database/db.js';
import { storeExercises } from '../src/database/exercises.js';
import { runMigrations } from '../src/database/migrate.js';
import { outboxStats } from '../src/database/outbox.js';
import type { ExerciseFilters, ExerciseInput } from '../src/database/types.js';
import { createOfflineEmbedder } from '../src/embeddings/offline.js';
import { buildExerciseChunk } from '../src/language/chunk.js';
import { cosine } from '../src/search/mmr.js';
import { importCatalogue } from '../src/services/catalogue.js';
import { createContext } from '../src/services/context.js';
import * as library from '../src/services/library.js';
import { mapCatalogueEntry } from '../src/services/catalogue.js';
import { createPgvectorIndex, EMBEDDINGS_TABLE, HNSW_INDEX } from '../src/vectors/pgvector.js';
import { createQdrantIndex } from '../src/vectors/qdrant.js';
import type { VectorIndex } from '../src/vectors/types.js';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL } from '../test/helpers/db.js';
import { startQdrant, type TestQdrant } from '../test/helpers/qdrant.js';
import { binaryCopyUuidVector, openBenchPglite } from './pglite.js';
import { CATALOGUE_FILE, QUERIES_FILE, readCatalogueFile } from './quality.js';
import { percentile, timeIt, type Stats } from './timing.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number).filter((n) => n > 0);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const FILTERS: { label: string; filters?: ExerciseFilters; match: (r: ExerciseInput) => boolean }[] = [
  { label: 'none', match: () => true },
  { label: 'category = strength (broad)', filters: { category: ['strength'] }, match: (r) => r.category === 'strength' },
  { label: 'equipment = kettlebells (selective)', filters: { equipment: ['kettlebells'] }, match: (r) => r.equipment === 'kettlebells' },
];
const MOD_A = ['Paused', 'Tempo', 'Banded', 'Deficit', 'Incline', 'Decline', 'Wide-Grip', 'Close-Grip', 'Kneeling', 'Standing', 'Seated', 'Slow', 'Explosive', 'Alternating', 'Single-Arm', 'Isometric'];
const MOD_B = ['Home', 'Gym', 'Hotel', 'Garage', 'Park', 'Studio', 'Beach', 'Office', 'Track', 'Field', 'Pool', 'Yard'];
const SWAP = ['dumbbell', 'kettlebells', 'bands', 'cable'];


/** The catalogue grown to `size` rows by varying names, levels and equipment. */
function rowsOf(size: number): (ExerciseInput & { id: string })[] {
  const base = readCatalogueFile().map((e) => mapCatalogueEntry(e));
  const rows = base.map((r) => ({ ...r, id: randomUUID() }));
  for (let g = 1; rows.length < size; g++) {
    for (const r of base) {
      if (rows.length >= size) break;
      rows.push({
        ...r,
        id: randomUUID(),
        normalized_url: `bench://synthetic/${g}/${r.normalized_url}`,
        platform: 'web',
        exercise_name: `${MOD_A[g % MOD_A.length]} ${MOD_B[(g * 7 + Math.floor(g / MOD_A.length)) % MOD_B.length]} ${r.exercise_name}`,
        fitness_level: Math.min(10, Math.max(0, (r.fitness_level ?? 5) + (g % 3) - 1)),
        equipment: g % 7 === 0 ? SWAP[Math.floor(g / 7) % SWAP.length]! : (r.equipment ?? null),
      });
    }
  }
  return rows;
}

async function loadRows(db: Db, rows: readonly ExerciseInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await storeExercises(db, rows.slice(i, i + 1000));
}

interface StoreResult {
  store: string;
  loadSeconds: number;
  rows: { label: string; matching: number; latency: Stats; recall: { byDistance: number; byId: number } }[];
}

async function measure(store: string, index: VectorIndex, loadSeconds: number, rows: readonly ExerciseInput[], vectors: number[][], queries: number[][]): Promise<StoreResult> {
  const out: StoreResult = { store, loadSeconds, rows: [] };
  for (const f of FILTERS) {
    const allowed = rows.flatMap((r, i) => (f.match(r) ? [i] : []));
    let byDistance = 0;
    let byId = 0;
    for (const q of queries) {
      const exact = allowed.map((i) => ({ id: rows[i]!.id!, score: cosine(q, vectors[i]!) })).sort((a, b) => b.score - a.score).slice(0, 10);
      const got = await index.search(q, { limit: 10, ...(f.filters ? { filters: f.filters } : {}) });
      const truth = new Set(exact.map((e) => e.id));
      const floor = exact.at(-1)!.score;
      byId += got.filter((h) => truth.has(h.id)).length / truth.size;
      // Near-copies tie at the 10th score: a hit as near as the exact 10th counts (tie-aware).
      byDistance += Math.min(truth.size, got.filter((h) => h.score >= floor - 1e-5).length) / truth.size;
    }
    const latency = await timeIt(ITERATIONS, (i) => index.search(queries[i % queries.length]!, { limit: 10, ...(f.filters ? { filters: f.filters } : {}) }));
    out.rows.push({ label: f.label, matching: allowed.length, latency, recall: { byDistance: byDistance / queries.length, byId: byId / queries.length } });
  }
  return out;
}

async function benchSize(size: number, qdrant: TestQdrant, queries: number[][]): Promise<StoreResult[]> {
  const embedder = createOfflineEmbedder();
  const rows = rowsOf(size);
  const vectors = await embedder.embed(rows.map((r) => buildExerciseChunk({ ...r, primary_muscles: r.primary_muscles ?? [], secondary_muscles: r.secondary_muscles ?? [] } as never)), 'document');
  const items = rows.map((r, i) => ({ id: r.id, vector: vectors[i]! }));
  const results: StoreResult[] = [];

  const { db: lite, pglite } = await openBenchPglite();
  try {
    await runMigrations(lite);
    const index = createPgvectorIndex({ db: lite, model: embedder.model, dimensions: embedder.dimensions });
    await index.init();
    const t0 = performance.now();
    await loadRows(lite, rows);
    await lite.query(`DROP INDEX ${HNSW_INDEX}`);
    for (let i = 0; i < items.length; i += 10_000) {
      await pglite.query(`COPY ${EMBEDDINGS_TABLE} (exercise_id, embedding) FROM '/dev/blob' WITH (FORMAT binary)`, [], { blob: new Blob([binaryCopyUuidVector(items.slice(i, i + 10_000))]) });
    }
    await lite.exec(`SET maintenance_work_mem = '1GB'`);
    await lite.query(`CREATE INDEX ${HNSW_INDEX} ON ${EMBEDDINGS_TABLE} USING hnsw (embedding vector_cosine_ops)`);
    await lite.query('ANALYZE');
    results.push(await measure('pgvector, PGlite', index, (performance.now() - t0) / 1000, rows, vectors, queries));
  } finally {
    await lite.close();
  }

  const schema = await createTestSchema();
  const server = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 4, searchPath: `${schema},public` });
  try {
    await runMigrations(server);
    const index = createPgvectorIndex({ db: server, model: embedder.model, dimensions: embedder.dimensions });
    await index.init();
    const t0 = performance.now();
    await loadRows(server, rows);
    await server.query(`DROP INDEX ${HNSW_INDEX}`);
    for (let i = 0; i < items.length; i += 500) await index.upsert(items.slice(i, i + 500));
    await server.query(`CREATE INDEX ${HNSW_INDEX} ON ${EMBEDDINGS_TABLE} USING hnsw (embedding vector_cosine_ops)`);
    await server.query('ANALYZE');
    const rowsSeconds = (performance.now() - t0) / 1000;
    results.push(await measure('pgvector, PostgreSQL server', index, rowsSeconds, rows, vectors, queries));

    const q = createQdrantIndex({ db: server, url: qdrant.url, collection: `bench_${size}`, model: embedder.model, dimensions: embedder.dimensions, timeoutMs: 120_000 });
    await q.init();
    const t1 = performance.now();
    for (let i = 0; i < items.length; i += 500) await q.upsert(items.slice(i, i + 500));
    // Searches are measured on the built graph: wait until Qdrant's optimizer has indexed everything.
    for (;;) {
      const info = await fetch(`${qdrant.url}/collections/bench_${size}`).then((r) => r.json() as Promise<{ result: { status: string; indexed_vectors_count: number } }>);
      if (info.result.status === 'green') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    results.push(await measure('Qdrant 1.16.3', q, (performance.now() - t1) / 1000, rows, vectors, queries));
  } finally {
    await server.close();
    await dropTestSchema(schema);
  }
  return results;
}

/** Catalogue import on the server with pgvector, then with Qdrant through the outbox until drained. */
async function importBench(qdrant: TestQdrant): Promise<{ pgvector: number; qdrant: number; qdrantImport: number }> {
  const time = async (env: Record<string, string>, drain: boolean) => {
    const schema = await createTestSchema();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-'));
    const db = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 10, searchPath: `${schema},public` });
    await runMigrations(db);
    const ctx = await createContext(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }), { db });
    try {
      ctx.relay.start();
      const t0 = performance.now();
      await importCatalogue(ctx, CATALOGUE_FILE);
      const imported = (performance.now() - t0) / 1000;
      if (drain) while ((await outboxStats(db)).pending > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      return { total: (performance.now() - t0) / 1000, imported };
    } finally {
      await ctx.close();
      await dropTestSchema(schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
  const pg = await time({}, false);
  const qd = await time({ VECTOR_STORE: 'qdrant', QDRANT_URL: qdrant.url, QDRANT_COLLECTION: 'bench_import' }, true);
  return { pgvector: pg.total, qdrant: qd.total, qdrantImport: qd.imported };
}

/** Edits at a steady rate with the relay running; samples the oldest pending entry's age. */
async function lagBench(qdrant: TestQdrant, perSecond: number, seconds: number): Promise<{ p50: number; p95: number; max: number; drainAfter: number }> {
  const schema = await createTestSchema();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-'));
  const db = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 10, searchPath: `${schema},public` });
  await runMigrations(db);
  const ctx = await createContext(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', VECTOR_STORE: 'qdrant', QDRANT_URL: qdrant.url, QDRANT_COLLECTION: 'bench_lag' }), { db });
  try {
    await importCatalogue(ctx, CATALOGUE_FILE);
    ctx.relay.start();
    await ctx.relay.drain(120_000);
    const ids = (await library.listExercises(ctx, {}, { limit: 1000 })).items.map((e) => e.id);
    const samples: number[] = [];
    let writing = true;
    const sampler = (async () => {
      while (writing) {
        samples.push((await outboxStats(db)).oldestSeconds * 1000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const start = performance.now();
    for (let i = 0; i < perSecond * seconds; i++) {
      await library.updateExercise(ctx, ids[i % ids.length]!, { intensity: i % 10 });
      const due = start + ((i + 1) * 1000) / perSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
    writing = false;
    await sampler;
    const t0 = performance.now();
    await ctx.relay.drain(120_000);
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), p95: percentile(samples, 95), max: samples.at(-1)!, drainAfter: performance.now() - t0 };
  } finally {
    await ctx.close();
    await dropTestSchema(schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runVectorStores(): Promise<string> {
  // Latency figures mean little on a busy machine: the load at the start is written beside them.
  const load = os.loadavg()[0]!.toFixed(1);
  const qdrant = await startQdrant();
  try {
    const embedder = createOfflineEmbedder();
    const texts = (JSON.parse(fs.readFileSync(QUERIES_FILE, 'utf8')) as { query: string }[]).map((q) => q.query);
    const queries = await embedder.embed(texts, 'query');
    const lines = [
      `Offline embedder (${embedder.model}, ${embedder.dimensions} dims), the catalogue grown with synthetic variants; the same rows and vectors in each store. ` +
        `Top 10, ${ITERATIONS} searches per cell over the ${texts.length} dev query vectors (vector search alone, in process; Qdrant over loopback HTTP). ` +
        `Times in ms, p50 / p95. recall@10 against an exact scan of the matching rows, tie-aware by score / strict by id. Load average (1 min) at the start: ${load}.`,
      '',
      '| rows | store | filter | matching rows | search p50 / p95 | recall@10 (score / id) |',
      '|---|---|---|---|---|---|',
    ];
    const loads: string[] = [];
    for (const size of SIZES) {
      console.error(`vector-stores: ${size} rows...`);
      for (const r of await benchSize(size, qdrant, queries)) {
        loads.push(`${size} rows into ${r.store}: ${r.loadSeconds.toFixed(1)} s`);
        for (const row of r.rows) {
          lines.push(
            `| ${size} | ${r.store} | ${row.label} | ${row.matching} | ${row.latency.p50.toFixed(2)} / ${row.latency.p95.toFixed(2)} | ${row.recall.byDistance.toFixed(3)} / ${row.recall.byId.toFixed(3)} |`,
          );
        }
      }
    }
    console.error('vector-stores: import and outbox lag...');
    const imp = await importBench(qdrant);
    const lag = await lagBench(qdrant, 20, 15);
    lines.push(
      '',
      `Loading (rows + vectors + index; Qdrant: upserts through the index, then until its optimizer reports green): ${loads.join('; ')}.`,
      '',
      `Catalogue import (873 exercises, \`importCatalogue\`, PostgreSQL server): pgvector ${imp.pgvector.toFixed(2)} s; ` +
        `Qdrant through the outbox ${imp.qdrant.toFixed(2)} s until the relay drained (rows committed after ${imp.qdrantImport.toFixed(2)} s), ` +
        `**${(imp.qdrant / imp.pgvector).toFixed(2)}x** pgvector's time.`,
      '',
      `Outbox lag under 20 edits/s for 15 s (one relay, default batch 64 and poll 500 ms), age of the oldest pending entry sampled every 100 ms: ` +
        `p50 ${lag.p50.toFixed(0)} ms, p95 ${lag.p95.toFixed(0)} ms, max ${lag.max.toFixed(0)} ms; drained ${lag.drainAfter.toFixed(0)} ms after the last write.`,
    );
    return lines.join('\n');
  } finally {
    await qdrant.stop();
  }
}
