/**
 * HTTP load on the real server: bench/http-load-target.ts runs `startServer` (embedded PGlite,
 * offline embedder, the 873-exercise catalogue imported) in its own process, beside a bare
 * Fastify route returning one exercise from memory; this process drives both with autocannon
 * over loopback, each load bounded in time. Each figure is a ratio of two sides measured in
 * this run, alternating, so a busy machine weighs on both: GET exercise vs the bare route,
 * semantic search vs GET exercise, `GET /health` during a 3000-row import (per batch size) vs
 * idle. Then the resident memory of `npm start` (built code) with the catalogue loaded.
 *
 *   npx tsx bench/run.ts http-load
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTOCANNON_VERSION, Target, bad, codes, load, okRate, type AutocannonRequest, type AutocannonResult, type Message } from './http-load-kit.js';
import { measureStartRss } from './http-rss.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const CATALOGUE = path.resolve(ROOT, '../shared/data/free-exercise-db/exercises.json');
const CONNECTIONS = 50;
const SECONDS = 4;
const WARMUP_SECONDS = 1;
const ROUNDS = 2;
const HEALTH_CONNECTIONS = 10;
const HEALTH_SECONDS = 5;
/** Rows per import transaction tried on top of the database's own `writeBatchSize`. */
const IMPORT_BATCH_SIZES = [4, 16, 64, 256];
const BULK_IDS = 20;
const READY_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 240_000;

const QUERIES = [
  'exercises for lower back pain',
  'bodyweight chest workout at home',
  'kettlebell swing for glutes and hamstrings',
  'stretch tight hip flexors after sitting',
  'beginner core exercises without equipment',
  'explosive plyometric leg training',
  'shoulder mobility with a band',
  'dumbbell biceps curl variations',
];

interface Measured {
  name: string;
  connections: number;
  result: AutocannonResult;
  /** 1-minute load average when the measurement started. */
  load: number;
}

const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)]!;
const loadAvg = () => os.loadavg()[0]!;
const ms = (n: number) => n.toFixed(n < 10 ? 1 : 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
const met = (ok: boolean) => (ok ? 'met' : '**missed**');

async function measure(name: string, url: string, connections: number, seconds: number, request: AutocannonRequest): Promise<Measured> {
  console.error(`http-load: ${name}...`);
  const startLoad = loadAvg();
  return { name, connections, result: await load(url, connections, seconds, request), load: startLoad };
}

/** Requests sent that got no response in the window, less the one per connection still in flight when it closed. */
const unanswered = (r: AutocannonResult) => Math.max(0, r.requests.sent - r.latency.totalCount - HEALTH_CONNECTIONS);
/** p99 over the responses, or null when more than 1 % of the requests got none (then p99 is not known, only that it is long). */
const healthP99 = (r: AutocannonResult) => (r.requests.sent > 0 && unanswered(r) / r.requests.sent <= 0.01 && r.latency.totalCount > 0 ? r.latency.p99 : null);

function loadRow(m: Measured): string {
  const r = m.result;
  return (
    `| ${m.name} | ${m.connections} | **${okRate(r).toFixed(0)}** | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${ms(r.latency.max)} | ` +
    `${r.errors} (${r.timeouts}) | ${r.non2xx} | ${codes(r)} | ${m.load.toFixed(1)} |`
  );
}

function healthRow(m: Measured, s: Message | null): string {
  const r = m.result;
  const n = (k: string) => Number(s?.[k] ?? 0);
  const p99 = healthP99(r);
  const write = s
    ? `${n('batchSize')} | ${n('cycles')}${s.error ? ` (error: ${String(s.error)})` : ''}, ${n('rows')}, ${(n('rows') / Math.max(n('seconds'), 1e-9)).toFixed(0)} rows/s | ` +
      `${n('transactions')}, ${ms(n('txP50Ms'))} / ${ms(n('txMaxMs'))} | ${ms(n('loopDelayP99Ms'))} / ${ms(n('loopDelayMaxMs'))}`
    : '– | – | – | –';
  return (
    `| ${m.name} | ${r.requests.sent} | ${r['2xx']} | ${unanswered(r)} / ${r.errors} / ${r.non2xx} | ${r.latency.totalCount ? ms(r.latency.p50) : '–'} | ` +
    `**${p99 !== null ? ms(p99) : 'not reached'}** | ${r.latency.totalCount ? ms(r.latency.max) : '–'} | ${write} | ${m.load.toFixed(1)} |`
  );
}

export async function runHttpLoad(): Promise<string> {
  const loadBefore = loadAvg();
  const extraArgs = process.env.HTTP_LOAD_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HTTP_LOAD_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...extraArgs, '--import', 'tsx', path.join(HERE, 'http-load-target.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const target = new Target(child);
  try {
    const startedAt = performance.now();
    const ready = await target.next('ready', READY_TIMEOUT_MS);
    const startSeconds = (performance.now() - startedAt) / 1000;
    const url = String(ready.url);
    const bareUrl = String(ready.bareUrl);
    const ids = ready.ids as string[];
    const imported = ready.import as { inserted: number; seconds: number };
    const defaultBatch = Number(ready.writeBatchSize);
    if (ids.length === 0) throw new Error('target has no exercises');

    const getOne: AutocannonRequest = { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/exercises/${pick(ids)}` }) };
    const bareOne: AutocannonRequest = { method: 'GET', setupRequest: (req) => ({ ...req, path: `/exercise/${pick(ids)}` }) };
    let q = 0;
    const search: AutocannonRequest = {
      method: 'POST',
      path: '/api/v1/exercises/semantic-search-ids',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: QUERIES[q++ % QUERIES.length], limit: 10 }) }),
    };
    const bulk: AutocannonRequest = {
      method: 'POST',
      path: '/api/v1/exercises/bulk',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ exercise_ids: Array.from({ length: BULK_IDS }, () => pick(ids)) }) }),
    };
    const names = {
      bare: 'bare Fastify: one exercise from memory',
      get: 'GET /api/v1/exercises/{id} (random known id)',
      search: `POST /api/v1/exercises/semantic-search-ids (${QUERIES.length} queries in turn, limit 10)`,
    };
    for (const [u, r] of [[bareUrl, bareOne], [url, getOne], [url, search]] as const) await load(u, CONNECTIONS, WARMUP_SECONDS, r);
    const rows: Record<'bare' | 'get' | 'search', Measured[]> = { bare: [], get: [], search: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      rows.bare.push(await measure(`${names.bare}, round ${round}`, bareUrl, CONNECTIONS, SECONDS, bareOne));
      rows.get.push(await measure(`${names.get}, round ${round}`, url, CONNECTIONS, SECONDS, getOne));
      rows.search.push(await measure(`${names.search}, round ${round}`, url, CONNECTIONS, SECONDS, search));
    }
    const bulkRow = await measure(`POST /api/v1/exercises/bulk (${BULK_IDS} random ids)`, url, CONNECTIONS, SECONDS, bulk);

    const health: AutocannonRequest = { method: 'GET', path: '/health' };
    const idle = [await measure('none (idle), before', url, HEALTH_CONNECTIONS, HEALTH_SECONDS, health)];
    const underWrite: { m: Measured; stats: Message; batchSize: number | undefined }[] = [];
    const writes: { kind: 'import' | 'reindex'; batchSize?: number; label: string }[] = [
      ...[...new Set([defaultBatch, ...IMPORT_BATCH_SIZES])].map((batchSize) => ({
        kind: 'import' as const,
        ...(batchSize === defaultBatch ? {} : { batchSize }),
        label: `3000-row synthetic catalogue imported (\`importCatalogue\`), repeated, ${batchSize} rows per transaction${batchSize === defaultBatch ? ' (the default)' : ''}`,
      })),
      { kind: 'reindex', label: 'vectors dropped (`ctx.index.reset()`) and all re-embedded (`ctx.search.reindex()`), repeated, default batches' },
    ];
    for (const w of writes) {
      target.send({ cmd: 'write', kind: w.kind, ...(w.batchSize ? { batchSize: w.batchSize } : {}) });
      await target.next('writing', 10_000);
      const m = await measure(w.label, url, HEALTH_CONNECTIONS, HEALTH_SECONDS, health);
      const stopped = target.next('stopped', STOP_TIMEOUT_MS);
      target.send({ cmd: 'stop' });
      underWrite.push({ m, stats: await stopped, batchSize: w.batchSize });
    }
    idle.push(await measure('none (idle), after', url, HEALTH_CONNECTIONS, HEALTH_SECONDS, health));
    const memoryReply = target.next('memory', 10_000);
    target.send({ cmd: 'memory' });
    const memory = await memoryReply;

    const sum = (ms_: Measured[], f: (r: AutocannonResult) => number) => ms_.reduce((a, m) => a + f(m.result), 0);
    const rate = (ms_: Measured[]) => sum(ms_, (r) => r['2xx']) / sum(ms_, (r) => r.duration);
    const p99 = (ms_: Measured[]) => mean(ms_.map((m) => m.result.latency.p99));
    const loads = (ms_: Measured[]) => ms_.map((m) => m.load.toFixed(1)).join(', ');
    const getRate = ratio(rate(rows.get), rate(rows.bare));
    const getP99 = ratio(p99(rows.get), p99(rows.bare));
    const searchRate = ratio(rate(rows.search), rate(rows.get));
    const idleP99 = mean(idle.map((m) => healthP99(m.result) ?? NaN));
    const importDefault = underWrite.find((u) => u.stats.kind === 'import' && u.batchSize === undefined)!;
    const importP99 = healthP99(importDefault.m.result);
    const healthRatio = importP99 === null ? NaN : ratio(importP99, idleP99);

    // The target goes first: the memory measured next is the other server's alone.
    target.send({ cmd: 'exit' });
    await target.exited;
    console.error('http-load: resident memory of `npm start`...');
    const rssLoad = loadAvg();
    const rss = await measureStartRss(ROOT, CATALOGUE, QUERIES);

    const lines = [
      `Server: \`startServer\` in its own process (\`node --import tsx bench/http-load-target.ts\`, NODE_ENV=production, log level warn), ` +
        `embedded PGlite in a temp DATA_DIR, offline embedder, no job worker; ${imported.inserted} catalogue exercises imported with \`importCatalogue\` ` +
        `in ${imported.seconds.toFixed(1)} s (server ready after ${startSeconds.toFixed(1)} s). The bare route is a second Fastify app in the same process ` +
        `(its own port) returning the JSON of one exercise as \`GET /api/v1/exercises/{id}\` returned it. Load: autocannon ${AUTOCANNON_VERSION} (programmatic) ` +
        `in the bench process, loopback, ${WARMUP_SECONDS} s warm-up per request kind (not counted), then ${ROUNDS} rounds of bare / GET / search, ${SECONDS} s each. ` +
        `req/s = 2xx responses / duration; latency in ms (autocannon's 1 ms resolution). Both processes share the machine's ${os.cpus().length} cores; ` +
        `load average (1 min) when the section started: ${loadBefore.toFixed(2)}, and per row below.`,
      '',
      '| request | connections | req/s (2xx) | p50 ms | p99 ms | max ms | errors (of which timeouts) | non-2xx | status codes | load avg |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...[...rows.bare, ...rows.get, ...rows.search, bulkRow].map(loadRow),
      '',
      `GET /health (database count + vector index info) at ${HEALTH_CONNECTIONS} connections for ${HEALTH_SECONDS} s: idle, then while a heavy write runs in ` +
        `the same server process cycle after cycle, then idle again. When more than 1 % of the requests sent got no answer, p99 is "not reached". ` +
        `Transactions and event-loop delay (\`monitorEventLoopDelay\`, main thread) are measured inside the server during the write.`,
      '',
      '| heavy write in the server | sent | answered 2xx | unanswered / errors / non-2xx | p50 ms | p99 ms | max ms | rows per transaction | write cycles, rows, rows/s | transactions: count, p50 / max ms | event-loop delay p99 / max ms | load avg |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      healthRow(idle[0]!, null),
      ...underWrite.map(({ m, stats }) => healthRow(m, stats)),
      healthRow(idle[1]!, null),
      '',
      `Memory: the bench target (tsx, after the loads above) ${Number(memory.rssMb)} MB RSS. \`npm start\` (\`node dist/cli/main.js serve\`, defaults, ` +
        `a job worker) on a DATA_DIR holding the catalogue, after ${rss.requests} requests (the newest 100 exercises one by one, ${QUERIES.length} searches): ` +
        `**${rss.rssMb.toFixed(0)} MB** RSS, peak ${rss.peakMb.toFixed(0)} MB (load avg ${rssLoad.toFixed(1)}).`,
      '',
      '| target (issue 11) | measured | the two sides | load avg | |',
      '|---|---|---|---|---|',
      `| GET exercise req/s / bare Fastify req/s >= 0.40 | **${getRate.toFixed(2)}** | ${rate(rows.get).toFixed(0)} / ${rate(rows.bare).toFixed(0)} req/s | ${loads([...rows.get, ...rows.bare])} | ${met(getRate >= 0.4)} |`,
      `| GET exercise p99 / bare Fastify p99 <= 3x | **${getP99.toFixed(1)}x** | ${ms(p99(rows.get))} / ${ms(p99(rows.bare))} ms | ${loads([...rows.get, ...rows.bare])} | ${met(getP99 <= 3)} |`,
      `| semantic-search-ids req/s / GET exercise req/s >= 0.30 | **${searchRate.toFixed(2)}** | ${rate(rows.search).toFixed(0)} / ${rate(rows.get).toFixed(0)} req/s | ${loads(rows.search)} | ${met(searchRate >= 0.3)} |`,
      `| /health p99 during a 3000-row import / idle p99 <= 2x | **${Number.isNaN(healthRatio) ? 'not reached' : `${healthRatio.toFixed(1)}x`}** | ` +
        `${importP99 === null ? 'not reached' : ms(importP99)} / ${ms(idleP99)} ms (${defaultBatch} rows per transaction) | ${loads([importDefault.m, ...idle])} | ${met(healthRatio <= 2)} |`,
      `| resident memory of \`npm start\` with the catalogue < 600 MB | **${rss.rssMb.toFixed(0)} MB** | peak ${rss.peakMb.toFixed(0)} MB | ${rssLoad.toFixed(1)} | ${met(rss.peakMb < 600)} |`,
      '',
      `Errors or non-2xx in any load row: ${[...rows.bare, ...rows.get, ...rows.search, bulkRow].reduce((a, m) => a + bad(m.result), 0)}.`,
    ];
    return lines.join('\n');
  } finally {
    if (child.exitCode === null) {
      target.send({ cmd: 'exit' });
      const exited = await Promise.race([target.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000).unref())]);
      if (!exited) child.kill('SIGKILL');
    }
  }
}
