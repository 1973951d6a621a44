/**
 * The server under load for bench/http-load.ts, in a process of its own so the load generator
 * does not share its event loop: the real `startServer` on the embedded default (PGlite in a
 * temp DATA_DIR, offline embedder, no worker), with the free-exercise-db catalogue imported
 * first through `importCatalogue`; beside it, on a port of its own, a bare Fastify app whose one
 * route returns one exercise object from memory: what the HTTP layer alone allows.
 *
 *   node --import tsx bench/http-load-target.ts
 *
 * Talks over stdio, one JSON message per line prefixed with `BENCH ` (other stdout lines are
 * logs). Prints `ready` with the URL and the exercise ids, then takes commands on stdin:
 *   {"cmd":"write","kind":"reindex"}  drop the vectors and re-embed every row, over and over
 *   {"cmd":"write","kind":"import","batchSize":N}   import synthetic catalogues of IMPORT_ROWS rows,
 *                                     over and over, N rows per transaction (default: the database's)
 *   {"cmd":"stop"}                    finish the current cycle, answer `stopped` with what ran
 *   {"cmd":"exit"}                    stop the server, remove the data, exit
 * It exits by itself when stdin closes (the load generator went away) or after MAX_LIFETIME_MS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { startServer } from '../src/api/index.js';
import { loadConfig } from '../src/config.js';
import { logger } from '../src/logger.js';
import { importCatalogue, readCatalogue } from '../src/services/catalogue.js';
import { reindex } from '../src/services/vectors.js';

export const IMPORT_ROWS = 3000;
const MAX_LIFETIME_MS = 30 * 60_000;
const CATALOGUE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data/free-exercise-db/exercises.json');

const send = (message: Record<string, unknown>) => process.stdout.write(`BENCH ${JSON.stringify(message)}\n`);

logger.level = process.env.LOG_LEVEL ?? 'warn';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-http-'));
// The search route's per-client limit (120/min) would answer most of the load with 429: lift it,
// the bench measures the search, not the limiter.
const config = loadConfig({ DATA_DIR: path.join(root, 'data'), HOST: '127.0.0.1', PORT: '0', RUN_WORKER: 'false', SEARCH_RATE_LIMIT_PER_MINUTE: '1000000' });
const server = await startServer(config, { worker: false });
const { ctx } = server;

const bare = Fastify({ logger: false });

let exiting: Promise<never> | null = null;
function exit(code: number): Promise<never> {
  exiting ??= (async () => {
    await bare.close().catch(() => {});
    await server.stop(2000).catch(() => {});
    fs.rmSync(root, { recursive: true, force: true });
    process.exit(code);
  })();
  return exiting;
}
setTimeout(() => void exit(3), MAX_LIFETIME_MS).unref();

const imported = await importCatalogue(ctx, CATALOGUE);
const ids = (await ctx.db.query<{ id: string }>('SELECT id FROM exercises ORDER BY id')).map((r) => String(r.id));
const catalogue = await readCatalogue(CATALOGUE);
const sample = (await (await fetch(`${server.url}/api/v1/exercises/${ids[0]}`)).json()) as Record<string, unknown>;
bare.get('/exercise/:id', async () => sample);
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

// Transaction durations while a write runs: on PGlite a transaction holds the database (and a
// statement holds the event loop), so the longest one bounds how long any request can wait.
let recording: number[] | null = null;
const transaction = ctx.db.transaction.bind(ctx.db);
(ctx.db as { transaction: typeof ctx.db.transaction }).transaction = async (fn) => {
  const t0 = performance.now();
  try {
    return await transaction(fn);
  } finally {
    recording?.push(performance.now() - t0);
  }
};

interface WriteRun {
  kind: string;
  batchSize: number | undefined;
  stop: boolean;
  done: Promise<{ cycles: number; rows: number; error: string | null }>;
}
let current: WriteRun | null = null;
let importCycle = 0;

/** Thrown from a progress callback when `stop` arrives, so a measurement ends after the batch in flight, not the cycle. */
class Stopped extends Error {
  constructor(readonly rows: number) {
    super('stopped');
  }
}
function stopBetweenBatches(run: WriteRun, done: number): void {
  if (run.stop) throw new Stopped(done);
}

async function writeLoop(run: WriteRun): Promise<{ cycles: number; rows: number; error: string | null }> {
  let cycles = 0;
  let rows = 0;
  try {
    while (!run.stop) {
      if (run.kind === 'reindex') {
        await ctx.index.reset();
        rows += (await reindex(ctx, { onProgress: (p) => stopBetweenBatches(run, p.done) })).embedded;
      } else {
        importCycle++;
        const file = path.join(root, `synthetic-${importCycle}.json`);
        const entries = Array.from({ length: IMPORT_ROWS }, (_, i) => {
          const e = catalogue[i % catalogue.length]!;
          return { ...e, id: `${e.id}-s${importCycle}-${i}`, name: `${e.name} (variant ${importCycle}.${i})` };
        });
        fs.writeFileSync(file, JSON.stringify(entries));
        try {
          rows += (
            await importCatalogue(ctx, file, {
              source: `bench-synthetic-${importCycle}`,
              ...(run.batchSize ? { batchSize: run.batchSize } : {}),
              onProgress: (done) => stopBetweenBatches(run, done),
            })
          ).inserted;
        } finally {
          fs.rmSync(file, { force: true });
        }
      }
      cycles++;
      // Let stdin (the stop command) and queued requests in between two cycles: nothing in a
      // cycle's chain of PGlite calls is guaranteed to return to the event loop.
      await new Promise((r) => setImmediate(r));
    }
    return { cycles, rows, error: null };
  } catch (error) {
    if (error instanceof Stopped) return { cycles, rows: rows + error.rows, error: null };
    return { cycles, rows, error: (error as Error).message };
  }
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0);

const lines = readline.createInterface({ input: process.stdin });
lines.on('close', () => void exit(0));
lines.on('line', (line) => void onLine(line));
async function onLine(line: string): Promise<void> {
  let message: { cmd?: string; kind?: string; batchSize?: number };
  try {
    message = JSON.parse(line) as typeof message;
  } catch {
    return;
  }
  if (message.cmd === 'write' && !current) {
    recording = [];
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    const run: WriteRun = {
      kind: message.kind === 'import' ? 'import' : 'reindex',
      batchSize: message.batchSize,
      stop: false,
      done: Promise.resolve({ cycles: 0, rows: 0, error: null }),
    };
    run.done = writeLoop(run).then((r) => {
      delay.disable();
      const tx = [...(recording ?? [])].sort((a, b) => a - b);
      recording = null;
      send({
        event: 'stopped',
        kind: run.kind,
        batchSize: run.batchSize ?? ctx.db.writeBatchSize,
        ...r,
        seconds: (performance.now() - started) / 1000,
        transactions: tx.length,
        txP50Ms: quantile(tx, 0.5),
        txMaxMs: tx.at(-1) ?? 0,
        loopDelayP99Ms: delay.percentile(99) / 1e6,
        loopDelayMaxMs: delay.max / 1e6,
      });
      return r;
    });
    current = run;
    send({ event: 'writing', kind: run.kind });
  } else if (message.cmd === 'stop' && current) {
    current.stop = true;
    const run = current;
    await run.done;
    current = null;
  } else if (message.cmd === 'memory') {
    const m = process.memoryUsage();
    send({ event: 'memory', rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external) });
  } else if (message.cmd === 'exit') {
    if (current) {
      current.stop = true;
      await current.done;
    }
    await exit(0);
  }
}

send({ event: 'ready', url: server.url, bareUrl, ids, import: imported, pid: process.pid, writeBatchSize: ctx.db.writeBatchSize });
