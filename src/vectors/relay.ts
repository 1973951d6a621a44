import { randomUUID } from 'node:crypto';
import type { Db } from '../database/db.js';
import { getExercisesByIds } from '../database/exercises.js';
import { claimOutbox, completeOutbox, outboxStats, renewOutbox, retryOutbox, type ClaimedEntry } from '../database/outbox.js';
import type { Embedder } from '../embeddings/types.js';
import { errorMessage } from '../errors.js';
import { logger } from '../logger.js';
import { buildExerciseChunk } from '../language/chunk.js';
import type { VectorIndex } from './types.js';

/**
 * The outbox relay: claims exercises with pending outbox entries, pushes each one's current
 * state to the vector store (a point with its vector and payload, or no point when the row is
 * gone) and removes the entries it settled. Pushes are idempotent, so a batch that is retried
 * after a crash or a timeout changes nothing twice. Any number of relays may run (serve and
 * worker each start one); see src/database/outbox.ts for why order per exercise holds.
 */
export interface RelayOptions {
  db: Db;
  index: VectorIndex;
  embedder: Embedder;
  batchSize?: number;
  /** Must exceed the store's request timeout by a margin (config checks it). */
  leaseSeconds?: number;
  /** The store's per-request timeout: a request is sent only if it ends, answered or abandoned, inside the lease. */
  requestTimeoutMs?: number;
  /** Idle wait between polls. */
  pollMs?: number;
}

export interface RelayPass {
  claimed: number;
  upserted: number;
  deleted: number;
  failed: number;
}

export interface OutboxRelay {
  readonly id: string;
  start(): void;
  stop(): Promise<void>;
  /** One claim-push-settle pass. */
  runOnce(): Promise<RelayPass>;
  /** Passes until the outbox is empty (tests, CLI); throws after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
}

/** Exponential backoff with jitter, capped at a minute: 0.5 s, 1 s, 2 s ... */
export function backoffSeconds(attempts: number, random = Math.random()): number {
  const base = Math.min(60, 0.5 * 2 ** Math.min(attempts, 10));
  return base * (0.5 + random / 2);
}

/** A batch given back before its request was sent. */
class LeaseError extends Error {}

const UNREACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether the failed request surely never reached the store, so nothing of it can land later. */
function neverSent(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof LeaseError || UNREACHED.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}

const EMPTY: RelayPass = { claimed: 0, upserted: 0, deleted: 0, failed: 0 };

export function createOutboxRelay(options: RelayOptions): OutboxRelay {
  const { db, index, embedder } = options;
  const batchSize = options.batchSize ?? 64;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const pollMs = options.pollMs ?? 500;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  // Otherwise every push would be given back unsent (holdLease) and the outbox would never drain.
  if (leaseSeconds * 1000 < 2 * requestTimeoutMs) throw new Error('The outbox lease must be at least twice the store request timeout');
  const id = `relay-${randomUUID().slice(0, 8)}`;
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  /**
   * Order per exercise rests on one relay at a time touching it: the lease. A request still on its
   * way when the lease ends could land after the next holder's newer write (an upsert of a row
   * deleted meanwhile, arriving after that delete). So before each request the lease is renewed,
   * and the request goes only if it ends, answered or timed out, well inside the renewed lease.
   */
  async function holdLease(claimed: readonly ClaimedEntry[]): Promise<void> {
    const renewing = performance.now();
    const held = await renewOutbox(db, id, claimed, leaseSeconds);
    if (held < claimed.length) throw new LeaseError(`lost the lease on ${claimed.length - held} of ${claimed.length} entries to another relay; batch given back`);
    if (performance.now() + requestTimeoutMs > renewing + leaseSeconds * 1000) throw new LeaseError('renewing the lease took too long to send a request safely; batch given back');
  }

  async function push(claimed: readonly ClaimedEntry[]): Promise<{ upserted: number; deleted: number }> {
    const rows = await getExercisesByIds(db, claimed.map((c) => c.exerciseId));
    const present = new Set(rows.map((r) => r.id));
    const gone = claimed.map((c) => c.exerciseId).filter((x) => !present.has(x));
    if (rows.length > 0) {
      const vectors = await embedder.embed(rows.map((r) => buildExerciseChunk(r)), 'document');
      await holdLease(claimed);
      await index.upsert(rows.map((r, i) => ({ id: r.id, vector: vectors[i]! })));
    }
    if (gone.length > 0) {
      await holdLease(claimed);
      await index.delete(gone);
    }
    return { upserted: rows.length, deleted: gone.length };
  }

  async function runOnce(): Promise<RelayPass> {
    if (index.consistency !== 'outbox') return EMPTY;
    let status = index.status();
    if (!status.available) status = await index.init();
    // Down, or waiting for a reindex to a new model: entries wait, nothing is lost.
    if (!status.available || status.needsReindex) return EMPTY;
    const claimed = await claimOutbox(db, id, batchSize, leaseSeconds);
    if (claimed.length === 0) return EMPTY;
    try {
      const done = await push(claimed);
      await completeOutbox(db, id, claimed);
      return { claimed: claimed.length, ...done, failed: 0 };
    } catch (error) {
      const attempts = Math.max(...claimed.map((c) => c.attempts));
      const delay = backoffSeconds(attempts);
      logger.warn({ relay: id, entries: claimed.length, attempts: attempts + 1, retryInSeconds: Math.round(delay * 10) / 10, err: errorMessage(error) }, 'vector outbox push failed');
      await retryOutbox(db, id, claimed, delay, errorMessage(error), { waitForLease: !neverSent(error) });
      return { claimed: claimed.length, upserted: 0, deleted: 0, failed: claimed.length };
    }
  }

  async function run(): Promise<void> {
    while (running) {
      let pass = EMPTY;
      try {
        pass = await runOnce();
      } catch (error) {
        // The database itself failing: keep the loop alive and try again later.
        logger.warn({ relay: id, err: errorMessage(error) }, 'vector outbox relay pass failed');
      }
      if (!running) break;
      if (pass.claimed === batchSize && pass.failed === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  return {
    id,
    start() {
      if (running || index.consistency !== 'outbox') return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = null;
    },
    runOnce,
    async drain(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pass = await runOnce();
        if (pass.claimed > 0 && pass.failed === 0) continue;
        const stats = await outboxStats(db);
        if (stats.pending === 0) return;
        if (Date.now() > deadline) throw new Error(`The vector outbox still holds ${stats.pending} entries after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
