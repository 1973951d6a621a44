/** The parts of the HTTP load bench that are not about what it measures: autocannon and the target process. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import readline from 'node:readline';

// autocannon ships no types (and @types/autocannon is not a dependency): the part used here.
export interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
export interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests?: AutocannonRequest[];
  timeout?: number;
}
export interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
  total?: number;
}
export interface AutocannonResult {
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
export const AUTOCANNON_VERSION = (require('autocannon/package.json') as { version: string }).version;


export async function load(url: string, connections: number, duration: number, request: AutocannonRequest): Promise<AutocannonResult> {
  return autocannon({ url, connections, duration, requests: [request], timeout: 10 });
}

export const okRate = (r: AutocannonResult) => r['2xx'] / r.duration;
/** autocannon counts a timeout in `errors` too. */
export const bad = (r: AutocannonResult) => r.errors + r.non2xx;
export const codes = (r: AutocannonResult) =>
  Object.entries(r.statusCodeStats ?? {})
    .map(([code, s]) => `${code}: ${s.count}`)
    .join(', ');

export type Message = Record<string, unknown> & { event: string };

export class Target {
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

