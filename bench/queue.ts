/**
 * Queue throughput with a no-op handler: N jobs are queued (createJob, one at a time), then a
 * Worker runs until every job is done, at concurrency 1 and 4, on PGlite (on disk in a temp
 * folder, as the service runs by default) and on the PostgreSQL server (a schema of its own,
 * created and dropped). Each job costs the worker's real round trips: housekeeping, claim
 * (UPDATE ... FOR UPDATE SKIP LOCKED) and the completion transaction.
 *
 *   npx tsx bench/run.ts queue
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgres, type Db } from '../src/database/db.js';
import { openPglite } from '../src/database/pglite.js';
import { runMigrations } from '../src/database/migrate.js';
import { countJobsByStatus, createJob, Worker } from '../src/jobs/index.js';
import { logger } from '../src/logger.js';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL } from '../test/helpers/db.js';

const JOBS = 2000;
const CONCURRENCIES = [1, 4];
/** The Worker sleeps this long when it finds no job; the service default is 1000 ms. */
const POLL_MS = 5;
/** Upper bound on one drain; a slower run is reported with the jobs it finished. */
const RUN_LIMIT_MS = 60_000;
const POOL_SIZE = 10;

interface Measure {
  backend: string;
  concurrency: number;
  enqueuePerSecond: number;
  done: number;
  seconds: number;
  perSecond: number;
}

async function drain(db: Db, backend: string, concurrency: number): Promise<Measure> {
  await db.query('TRUNCATE jobs');
  const t0 = performance.now();
  for (let i = 0; i < JOBS; i++) await createJob(db, { type: 'bench_noop', payload: { i } });
  const enqueueSeconds = (performance.now() - t0) / 1000;

  let handled = 0;
  const worker = new Worker(db, {
    handlers: { bench_noop: async () => (handled++, {}) },
    concurrency,
    leaseSeconds: 60,
    pollIntervalMs: POLL_MS,
  });
  const started = performance.now();
  worker.start();
  let seconds = 0;
  try {
    // Only ask the database once every handler has run, so the check does not compete with the worker.
    while (performance.now() - started < RUN_LIMIT_MS) {
      if (handled >= JOBS && (await countJobsByStatus(db)).done >= JOBS) break;
      await new Promise((r) => setTimeout(r, handled >= JOBS ? 1 : 20));
    }
    seconds = (performance.now() - started) / 1000;
  } finally {
    await worker.stop(5000);
  }
  const done = (await countJobsByStatus(db)).done;
  return { backend, concurrency, enqueuePerSecond: JOBS / enqueueSeconds, done, seconds, perSecond: done / seconds };
}

async function onBackend(backend: 'pglite' | 'postgres', out: Measure[]): Promise<void> {
  let db: Db;
  let cleanup: () => Promise<void>;
  if (backend === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-queue-'));
    db = await openPglite({ dataDir: dir });
    cleanup = async () => {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const schema = await createTestSchema();
    try {
      db = await openPostgres({ url: TEST_DATABASE_URL, poolSize: POOL_SIZE, searchPath: schema });
    } catch (error) {
      await dropTestSchema(schema);
      throw error;
    }
    cleanup = async () => {
      await db.close();
      await dropTestSchema(schema);
    };
  }
  try {
    await runMigrations(db);
    for (const c of CONCURRENCIES) {
      console.error(`queue: ${backend}, concurrency ${c}...`);
      out.push(await drain(db, backend, c));
    }
  } finally {
    await cleanup();
  }
}

export async function runQueueBench(): Promise<string> {
  const previousLevel = logger.level;
  // The worker logs two lines per job at info; the bench measures the queue, not stdout.
  logger.level = 'warn';
  const load = os.loadavg()[0]!;
  const results: Measure[] = [];
  const notes: string[] = [];
  try {
    await onBackend('pglite', results);
    try {
      await onBackend('postgres', results);
    } catch (error) {
      notes.push(`PostgreSQL server run failed: ${(error as Error).message}`);
    }
  } finally {
    logger.level = previousLevel;
  }
  const label = (b: string) => (b === 'pglite' ? 'PGlite (embedded, on disk)' : `PostgreSQL server (${new URL(TEST_DATABASE_URL).host}, pool ${POOL_SIZE})`);
  return [
    `${JOBS} jobs per run with a no-op handler. "enqueue" = \`createJob\` called one at a time (jobs/s); ` +
      `"drain" = from \`worker.start()\` until all ${JOBS} jobs read \`done\` (jobs/s). ` +
      `**Worker \`pollIntervalMs\` set to ${POLL_MS} ms for the bench** (service default 1000 ms; a busy worker never sleeps, ` +
      `so it matters only when the queue runs dry). Lease 60 s, so no heartbeats during a no-op job. ` +
      `Load average (1 min) when the section started: ${load.toFixed(2)} on ${os.cpus().length} cores.`,
    '',
    '| database | worker concurrency | enqueue (jobs/s) | jobs done | drain time (s) | drain (jobs/s) |',
    '|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${label(r.backend)} | ${r.concurrency} | ${r.enqueuePerSecond.toFixed(0)} | ${r.done}${r.done < JOBS ? ` of ${JOBS} (time limit)` : ''} | ${r.seconds.toFixed(2)} | **${r.perSecond.toFixed(0)}** |`,
    ),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
