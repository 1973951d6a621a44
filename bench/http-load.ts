/**
 * HTTP load on the real server: bench/http-load-target.ts runs `startServer` (embedded PGlite,
 * offline embedder, the 873-exercise catalogue imported) in its own process; this process drives
 * it with autocannon over loopback, each load bounded in time. Then `GET /health` latency is
 * measured while a heavy write runs in the server process (vectors dropped and re-embedded, or a
 * synthetic catalogue imported), which shows whether long work is split into short queries:
 * PGlite holds the event loop for the length of a statement and the database for a transaction.
 *
 *   npx tsx bench/run.ts http-load
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

// autocannon ships no types (and @types/autocannon is not a dependency): the part used here.
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests?: AutocannonRequest[];
  timeout?: number;
}
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
  total?: number;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: Histogram & { totalCount: number };
  requests: Histogram & { sent: number };
  statusCodeStats: Record<string, { count: number }>;
}
const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (opts: AutocannonOptions) => Promise<AutocannonResult>;
const AUTOCANNON_VERSION = (require('autocannon/package.json') as { version: string }).version;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const CONNECTIONS = 50;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const HEALTH_CONNECTIONS = 10;
const HEALTH_IDLE_SECONDS = 5;
const HEALTH_SECONDS = 10;
const BULK_IDS = 20;
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 120_000;

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

type Message = Record<string, unknown> & { event: string };

class Target {
  private waiting: { event: string; resolve: (m: Message) => void }[] = [];
  private stderr: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('BENCH ')) return;
      const message = JSON.parse(line.slice(6)) as Message;
      const i = this.waiting.findIndex((w) => w.event === message.event);
      if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(message);
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderr.push(d.toString());
      if (this.stderr.length > 50) this.stderr.shift();
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  next(event: string, timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`target: no "${event}" within ${timeoutMs} ms. ${this.stderr.join('').slice(-2000)}`)), timeoutMs);
      this.waiting.push({ event, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`target exited (${code}) while waiting for "${event}". ${this.stderr.join('').slice(-2000)}`));
      });
    });
  }

  send(message: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }
}

interface LoadRow {
  name: string;
  result: AutocannonResult;
  connections: number;
}

function pick<T>(values: readonly T[]): T {
  return values[Math.floor(Math.random() * values.length)]!;
}

async function load(url: string, connections: number, duration: number, request: AutocannonRequest): Promise<AutocannonResult> {
  return autocannon({ url, connections, duration, requests: [request], timeout: 10 });
}

const okRate = (r: AutocannonResult) => r['2xx'] / r.duration;
/** autocannon counts a timeout in `errors` too. */
const bad = (r: AutocannonResult) => r.errors + r.non2xx;
const codes = (r: AutocannonResult) =>
  Object.entries(r.statusCodeStats ?? {})
    .map(([code, s]) => `${code}: ${s.count}`)
    .join(', ');

/**
 * Requests sent that got no response in the window. Each connection may have one request still
 * in flight when the window closes; those are not failures, so one per connection is allowed.
 */
const unanswered = (r: AutocannonResult, connections = HEALTH_CONNECTIONS) =>
  Math.max(0, r.requests.sent - r.latency.totalCount - connections);
/** p99 over the responses, or null when more than 1 % of the requests got none (then p99 is not known, only that it is long). */
const healthP99 = (r: AutocannonResult) => (r.requests.sent > 0 && unanswered(r) / r.requests.sent <= 0.01 && r.latency.totalCount > 0 ? r.latency.p99 : null);
const ms = (n: number) => n.toFixed(n < 10 ? 1 : 0);
const healthP99Text = (r: AutocannonResult) => {
  const p99 = healthP99(r);
  return p99 !== null ? `${ms(p99)} ms` : `not reached: ${unanswered(r)} of ${r.requests.sent} requests unanswered within ${HEALTH_SECONDS} s`;
};

function healthRow(label: string, r: AutocannonResult, s: Message | null): string {
  const n = (k: string) => Number(s?.[k] ?? 0);
  const answered = r.latency.totalCount > 0;
  const write = s
    ? `${n('cycles')}${s.error ? ` (error: ${String(s.error)})` : ''}, ${n('rows')} | ${n('transactions')}, ${ms(n('txP50Ms'))} / ${ms(n('txMaxMs'))} | ` +
      `${ms(n('loopDelayP99Ms'))} / ${ms(n('loopDelayMaxMs'))}`
    : '– | – | –';
  return (
    `| ${label} | ${r.requests.sent} | ${r['2xx']} | ${unanswered(r)} / ${r.errors} / ${r.non2xx} | ${answered ? ms(r.latency.p50) : '–'} | ` +
    `**${healthP99Text(r)}** | ${answered ? ms(r.latency.max) : '–'} | ${write} |`
  );
}

export async function runHttpLoad(): Promise<string> {
  const loadBefore = os.loadavg()[0]!;
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
    const ids = ready.ids as string[];
    const imported = ready.import as { inserted: number; seconds: number };
    if (ids.length === 0) throw new Error('target has no exercises');

    const scenarios: { name: string; request: AutocannonRequest }[] = [
      {
        name: 'GET /api/v1/exercises/{id} (random known id)',
        request: { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/exercises/${pick(ids)}` }) },
      },
      {
        name: `POST /api/v1/exercises/bulk (${BULK_IDS} random ids)`,
        request: {
          method: 'POST',
          path: '/api/v1/exercises/bulk',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ exercise_ids: Array.from({ length: BULK_IDS }, () => pick(ids)) }) }),
        },
      },
      {
        name: `POST /api/v1/exercises/semantic-search-ids (${QUERIES.length} queries in turn, limit 10)`,
        request: (() => {
          let i = 0;
          return {
            method: 'POST',
            path: '/api/v1/exercises/semantic-search-ids',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req: AutocannonRequest) => ({ ...req, body: JSON.stringify({ query: QUERIES[i++ % QUERIES.length], limit: 10 }) }),
          };
        })(),
      },
    ];

    const rows: LoadRow[] = [];
    for (const s of scenarios) {
      console.error(`http-load: ${s.name}...`);
      await load(url, CONNECTIONS, WARMUP_SECONDS, s.request);
      rows.push({ name: s.name, result: await load(url, CONNECTIONS, SECONDS, s.request), connections: CONNECTIONS });
    }

    const health: AutocannonRequest = { method: 'GET', path: '/health' };
    console.error('http-load: GET /health, idle...');
    const healthIdle = await load(url, HEALTH_CONNECTIONS, HEALTH_IDLE_SECONDS, health);
    const underWrite: { kind: string; label: string; result: AutocannonResult; stats: Message }[] = [];
    for (const [kind, label] of [
      ['reindex', 'vectors dropped (`ctx.index.reset()`) and all re-embedded (`ctx.search.reindex()`), repeated'],
      ['import', 'synthetic catalogue of 3000 rows imported (`importCatalogue`, its default batches), repeated'],
    ] as const) {
      console.error(`http-load: GET /health during ${kind}...`);
      target.send({ cmd: 'write', kind });
      await target.next('writing', 10_000);
      const result = await load(url, HEALTH_CONNECTIONS, HEALTH_SECONDS, health);
      const stopped = target.next('stopped', STOP_TIMEOUT_MS);
      target.send({ cmd: 'stop' });
      underWrite.push({ kind, label, result, stats: await stopped });
    }

    const met = (ok: boolean) => (ok ? 'met' : '**missed**');
    const get = rows[0]!.result;
    const search = rows[2]!.result;
    const getOk = okRate(get) >= 2000 && get.latency.p99 < 50 && bad(get) === 0;
    const searchOk = okRate(search) >= 300;
    const lines = [
      `Server: \`startServer\` in its own process (\`node --import tsx bench/http-load-target.ts\`, NODE_ENV=production, log level warn), ` +
        `embedded PGlite in a temp DATA_DIR, offline embedder, no worker; ${imported.inserted} catalogue exercises imported with \`importCatalogue\` ` +
        `in ${imported.seconds.toFixed(1)} s (server ready after ${startSeconds.toFixed(1)} s). Load: autocannon ${AUTOCANNON_VERSION} (programmatic) in the bench process, ` +
        `loopback, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up (not counted) then ${SECONDS} s per row. req/s = 2xx responses / duration. ` +
        `Latency in ms (autocannon's 1 ms resolution). Both processes share the machine's ${os.cpus().length} cores; ` +
        `load average (1 min) when the section started: ${loadBefore.toFixed(2)}.`,
      '',
      '| request | connections | req/s (2xx) | p50 ms | p99 ms | max ms | errors (of which timeouts) | non-2xx | status codes |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.connections} | **${okRate(r.result).toFixed(0)}** | ${ms(r.result.latency.p50)} | ${ms(r.result.latency.p99)} | ${ms(r.result.latency.max)} | ` +
          `${r.result.errors} (${r.result.timeouts}) | ${r.result.non2xx} | ${codes(r.result)} |`,
      ),
      '',
      `GET /health (database count + vector index info) at ${HEALTH_CONNECTIONS} connections, idle for ${HEALTH_IDLE_SECONDS} s, then for ${HEALTH_SECONDS} s ` +
        `while a heavy write runs in the same server process, cycle after cycle (the target yields to the event loop once between cycles). ` +
        `Latencies are over the responses received; when more than 1 % of the requests sent got no answer within the window (autocannon timeout ${SECONDS} s), ` +
        `p99 is reported as not reached. Transactions and event-loop delay (\`monitorEventLoopDelay\`) are measured inside the server during the write.`,
      '',
      '| heavy write in the server | sent | answered 2xx | unanswered / errors / non-2xx | p50 ms | p99 ms | max ms | write cycles, rows written | transactions: count, p50 / max ms | event-loop delay p99 / max ms |',
      '|---|---|---|---|---|---|---|---|---|---|',
      healthRow('none (idle)', healthIdle, null),
      ...underWrite.map(({ label, result, stats }) => healthRow(label, result, stats)),
      '',
      `Targets on this machine: GET exercise >= 2000 req/s with p99 < 50 ms and no errors — ${met(getOk)} ` +
        `(${okRate(get).toFixed(0)} req/s, p99 ${ms(get.latency.p99)} ms, ${bad(get)} errors/non-2xx); ` +
        `search >= 300 req/s — ${met(searchOk)} (${okRate(search).toFixed(0)} req/s); ` +
        underWrite
          .map(({ kind, result: r }) => `/health p99 < 100 ms during ${kind} — ${met(healthP99(r) !== null && healthP99(r)! < 100)} (${healthP99Text(r)})`)
          .join('; ') +
        '.',
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
