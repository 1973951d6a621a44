import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UnavailableError } from '../errors.js';
import type { Db, Queryable } from './db.js';
import { acquireDirLock, type DirLock } from './lock.js';
import type { Request, Response, SerializedError, WorkerOptions } from './pglite-worker.js';

export interface PgliteOptions {
  /** A folder, or undefined for an in-memory database (tests). */
  dataDir: string | undefined;
}

type Call = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * Built, the worker is the `.js` beside this file. Run from the TypeScript source (tsx, vitest)
 * it is the `.ts` beside it, and its thread needs tsx's loader: neither vitest's transform nor an
 * inherited `--import tsx` reaches a worker's entry module on Node 20, but hooks that the thread
 * registers itself before importing it do.
 */
function startWorker(workerData: WorkerOptions): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData });
  const require = createRequire(import.meta.url);
  const tsx = require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), tsx.exports['./esm/api']!.import.default)).href;
  const script = new URL('./pglite-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(api)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(script)}))`, {
    eval: true,
    workerData,
  });
}

/** The PostgreSQL fields (code, constraint, detail...) come back as they were thrown; the class cannot. */
function toError(serialized: SerializedError): Error {
  const error = Object.assign(new Error(serialized.message), serialized.fields);
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}

/** One worker thread and the calls waiting for its answers. */
class PgliteThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (rows: unknown[] | undefined) => void; reject: (error: Error) => void }>();
  private stopped: Error | null = null;
  private closing = false;
  private readonly listeners = new Map<string, (payload: string) => void>();
  readonly exited: Promise<void>;

  constructor(private readonly worker: Worker) {
    worker.on('message', (message: Response) => {
      if (!('id' in message)) {
        if (message.event === 'notification') this.listeners.get(message.channel)?.(message.payload);
        return;
      }
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      // An idle database does not keep the process alive, as in-process PGlite did not.
      if (this.pending.size === 0 && !this.closing) worker.unref();
      if (message.ok) waiting.resolve(message.rows);
      else waiting.reject(toError(message.error));
    });
    worker.on('error', (error) => this.stop(error));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.stop(new Error(`exited with code ${code}`));
        resolve();
      }),
    );
  }

  /** Resolves once PGlite is open in the thread, or rejects with its reason. */
  started(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: Response) => {
        if (!('event' in message) || message.event === 'notification') return;
        this.worker.off('message', onMessage);
        if (message.event === 'ready') resolve();
        else reject(toError(message.error));
      };
      this.worker.on('message', onMessage);
      void this.exited.then(() => reject(this.stopped));
    });
  }

  call(request: Call): Promise<unknown[] | undefined> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ ...request, id });
      } catch (error) {
        reject(error as Error);
        return;
      }
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
    });
  }

  /** One handler per channel; its notifications arrive before the answer of the write that made them. */
  async listen(channel: string, handler: (payload: string) => void): Promise<void> {
    this.listeners.set(channel, handler);
    await this.call({ op: 'listen', channel });
  }

  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = new UnavailableError(`The embedded database thread stopped: ${reason.message}`, { cause: reason });
    for (const waiting of this.pending.values()) waiting.reject(this.stopped);
    this.pending.clear();
  }

  /** Asks the thread to finish what it was sent, close PGlite and end; a thread already gone is closed. */
  async close(): Promise<void> {
    if (this.stopped) return;
    // Held until the thread has ended, so the process waits for a clean close.
    this.closing = true;
    this.worker.ref();
    await this.call({ op: 'close' });
    await this.exited;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * The embedded database in a worker thread the process owns, behind the `Db` seam. The folder
 * lock stays in this thread: it belongs to the process, and a kill -9 of the process ends both.
 */
export async function openPglite(options: PgliteOptions): Promise<Db> {
  let lock: DirLock | undefined;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    // PGlite does not lock its folder; two processes on one folder silently lose writes.
    lock = acquireDirLock(options.dataDir);
  }
  let thread: PgliteThread | undefined;
  try {
    thread = new PgliteThread(startWorker({ pgdata: options.dataDir ? path.join(options.dataDir, 'pgdata') : undefined }));
    await thread.started();
  } catch (error) {
    await thread?.terminate();
    lock?.release();
    // PGlite's file system errors are plain objects ({errno}); say what and where in one line.
    const errno = (error as { errno?: number; code?: string } | null)?.code ?? (error as { errno?: number } | null)?.errno;
    throw new UnavailableError(
      `DATA_DIR: the embedded database in ${options.dataDir ?? 'memory'} cannot be opened or created (${error instanceof Error ? error.message : `file system error ${errno ?? ''}`.trim()}); check free space and permissions`,
      { cause: error, retryable: false },
    );
  }
  return pgliteDb(thread, () => lock?.release());
}

function pgliteDb(thread: PgliteThread, onClose: () => void): Db {
  let closing: Promise<void> | null = null;
  let nextTx = 1;
  let openTransactions = 0;
  const session = (tx?: number): Queryable => ({
    query: async <T>(text: string, params?: readonly unknown[]) => (await thread.call({ op: 'query', tx, text, params })) as T[],
    exec: async (text: string) => {
      await thread.call({ op: 'exec', tx, text });
    },
  });
  const db = session();
  const closed = () => Promise.reject(new UnavailableError('Database is closed'));
  return {
    kind: 'pglite',
    // A query waits for the transaction holding the session, and every statement of a write is a
    // round trip to this thread: /health p99 during a 3000-row import was lowest at 4 rows per
    // transaction of 4, 16, 64 and 256 (BENCHMARKS.md, http-load), for some import throughput.
    writeBatchSize: 4,
    listen: (channel, handler) => (closing ? closed() : thread.listen(channel, handler)),
    ping: async () => {
      if (closing) return closed();
      await thread.call({ op: 'ping' });
    },
    busy: () => openTransactions > 0,
    query: (text, params) => (closing ? closed() : db.query(text, params)),
    exec: (text) => (closing ? closed() : db.exec(text)),
    async transaction(fn) {
      if (closing) return closed();
      const tx = nextTx++;
      openTransactions++;
      try {
        // As in-process: `fn` starts once the transaction holds the session.
        try {
          await thread.call({ op: 'begin', tx });
        } catch (error) {
          await thread.call({ op: 'end', tx, commit: false }).catch(() => {});
          throw error;
        }
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn(session(tx));
        } catch (error) {
          await thread.call({ op: 'end', tx, commit: false }).catch(() => {});
          throw error;
        }
        await thread.call({ op: 'end', tx, commit: true });
        return result;
      } finally {
        openTransactions--;
      }
    },
    close() {
      // Transactions already running finish (their queries are still accepted), then the thread
      // closes PGlite and ends.
      closing ??= (async () => {
        try {
          await thread.close();
        } finally {
          onClose();
        }
      })();
      return closing;
    },
  };
}
