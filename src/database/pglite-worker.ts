/**
 * The embedded database's own thread: PGlite runs here, so its WASM engine never holds the event
 * loop that parses HTTP. The owner (src/database/pglite.ts) sends one message per call and gets
 * one answer per call; PGlite's own locks order them, exactly as they did in-process: a query
 * waits while a transaction holds the session, and transactions run one after another.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';

export interface WorkerOptions {
  /** The PGlite folder, or undefined for an in-memory database. */
  pgdata: string | undefined;
}

export type Request =
  | { id: number; op: 'query'; tx?: number; text: string; params?: readonly unknown[] }
  | { id: number; op: 'exec'; tx?: number; text: string }
  | { id: number; op: 'begin'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'listen'; channel: string }
  | { id: number; op: 'ping' }
  | { id: number; op: 'close' };

/** A PostgreSQL error's fields (code, detail, constraint...) survive the thread; its class does not. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, string | number | boolean | null>;
}

export type Response =
  | { event: 'ready' }
  | { event: 'failed'; error: SerializedError }
  | { event: 'notification'; channel: string; payload: string }
  | { id: number; ok: true; rows?: unknown[] }
  | { id: number; ok: false; error: SerializedError };

// `params` may be large and `queryOptions` is not plain data: neither helps the caller.
const DROPPED_FIELDS = new Set(['params', 'queryOptions']);

function plainFields(error: object): SerializedError['fields'] {
  const fields: SerializedError['fields'] = {};
  for (const [key, value] of Object.entries(error)) {
    if (DROPPED_FIELDS.has(key)) continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value as string | number | boolean | null;
  }
  return fields;
}

function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    // PGlite's file system errors are plain objects ({errno}): keep their fields and name the errno.
    const fields = error !== null && typeof error === 'object' ? plainFields(error) : {};
    const errno = fields.code ?? fields.errno;
    return { name: 'Error', message: errno !== undefined && errno !== null ? `file system error ${errno}` : String(error), fields };
  }
  return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}), fields: plainFields(error) };
}

interface Session {
  /** Settles when PGlite has begun the transaction (after any transaction before it). */
  tx: Promise<Transaction>;
  /** Resolving it ends the callback given to PGlite: true commits, false rolls back. */
  end: (commit: boolean) => void;
  /** PGlite's own promise for the transaction. */
  done: Promise<void>;
}

class RollbackRequested extends Error {}

async function main(): Promise<void> {
  const port = parentPort!;
  const send = (message: Response) => port.postMessage(message);
  const answer = (id: number, rows: unknown[] | undefined) => {
    try {
      send(rows ? { id, ok: true, rows } : { id, ok: true });
    } catch (error) {
      // A value the structured clone cannot copy: the caller gets the DataCloneError.
      send({ id, ok: false, error: serializeError(error) });
    }
  };
  const { pgdata } = workerData as WorkerOptions;
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(pgdata, { extensions: { vector } });
  } catch (error) {
    send({ event: 'failed', error: serializeError(error) });
    return;
  }
  const sessions = new Map<number, Session>();
  const inFlight = new Set<Promise<unknown>>();

  /** Answers once the transaction has begun, after any transaction before it, as PGlite runs its callback. */
  const begin = (id: number): Promise<Transaction> => {
    let end!: (commit: boolean) => void;
    const ended = new Promise<boolean>((resolve) => (end = resolve));
    let started!: (tx: Transaction) => void;
    let failed!: (error: unknown) => void;
    const tx = new Promise<Transaction>((resolve, reject) => ((started = resolve), (failed = reject)));
    // Queries sent for a transaction that never began fail with its error; nobody awaits `tx` otherwise.
    tx.catch(() => {});
    const done = pglite
      .transaction(async (t) => {
        started(t);
        if (!(await ended)) throw new RollbackRequested();
      })
      .catch((error: unknown) => {
        failed(error);
        if (!(error instanceof RollbackRequested)) throw error;
      });
    done.catch(() => {});
    sessions.set(id, { tx, end, done });
    return tx;
  };

  const run = async (request: Exclude<Request, { op: 'ping' }>): Promise<unknown[] | undefined> => {
    switch (request.op) {
      case 'begin':
        await begin(request.tx);
        return undefined;
      case 'end': {
        const session = sessions.get(request.tx);
        if (!session) throw new Error('Transaction is closed');
        sessions.delete(request.tx);
        session.end(request.commit);
        await session.done;
        return undefined;
      }
      case 'query':
      case 'exec': {
        let target: Pick<PGlite, 'query' | 'exec'> = pglite;
        if (request.tx !== undefined) {
          const session = sessions.get(request.tx);
          if (!session) throw new Error('Transaction is closed');
          target = await session.tx;
        }
        if (request.op === 'exec') {
          await target.exec(request.text);
          return undefined;
        }
        return (await target.query(request.text, request.params as unknown[] | undefined)).rows;
      }
      case 'listen':
        // PGlite calls the listener (in a microtask) while it parses the answer to the COMMIT,
        // before that statement's promise settles: the notification is posted before the answer
        // of the write that caused it, and the owner's port delivers them in that order.
        await pglite.listen(request.channel, (payload) => send({ event: 'notification', channel: request.channel, payload }));
        return undefined;
      case 'close':
        // The owner refuses new work before it asks; what was sent before (a transaction still
        // running included) finishes first, then the files are closed cleanly.
        while (inFlight.size || sessions.size) await Promise.allSettled([...inFlight, ...[...sessions.values()].map((s) => s.done)]);
        await pglite.close();
        return undefined;
    }
  };

  port.on('message', (request: Request) => {
    // Answered at once, between two statements of whatever runs: the thread is alive even
    // while a long import holds the session.
    if (request.op === 'ping') {
      answer(request.id, undefined);
      return;
    }
    const work = run(request).then(
      (rows) => answer(request.id, rows),
      // A failed query is an answer, never a reason for this thread to stop.
      (error: unknown) => send({ id: request.id, ok: false, error: serializeError(error) }),
    );
    if (request.op === 'close') {
      void work.then(() => port.close());
      return;
    }
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  send({ event: 'ready' });
}

if (parentPort) await main();
