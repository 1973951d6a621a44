import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Db, Queryable } from '../database/db.js';
import { AppError, CancelledError, errorMessage, LeaseLostError, ShutdownError } from '../errors.js';
import { logger } from '../logger.js';
import { claimJob, completeJob, failExhaustedJobs, failJob, heartbeat, pruneJobs, releaseJob, type Job } from './queue.js';

/**
 * The worker: claims jobs, runs exactly one handler per job type, renews its lease while the
 * handler runs, and records the outcome. Retryable faults go back to the queue with backoff;
 * permanent ones fail at once.
 */
export interface JobContext {
  readonly workerId: string;
  /** Aborted on cancel, lease loss or shutdown. Handlers pass it to their I/O. */
  readonly signal: AbortSignal;
  progress(step: string, percent: number): Promise<void>;
  /** Marks the job done inside the handler's own transaction, so output and completion commit together. */
  complete(tx: Queryable, result: Record<string, unknown>): Promise<void>;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<Record<string, unknown>>;

export interface WorkerOptions {
  handlers: Record<string, JobHandler>;
  concurrency: number;
  leaseSeconds: number;
  pollIntervalMs?: number;
  retentionDays?: number;
  /** Backoff base for retries, seconds: base * 2^(attempt-1), capped at 10 minutes. */
  retryBaseSeconds?: number;
}

export function retryDelaySeconds(attempt: number, base: number): number {
  return Math.min(600, base * 2 ** Math.max(0, attempt - 1));
}

export class Worker {
  readonly id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private stopping = false;
  private loops: Promise<void>[] = [];
  /** One wake-up per sleeping loop: notify() and stop() must reach every idle loop, not the last one to sleep. */
  private readonly sleepers = new Set<() => void>();
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly options: WorkerOptions,
  ) {
    if (Object.keys(options.handlers).length === 0) throw new Error('A worker needs at least one job handler');
  }

  get activeJobs(): string[] {
    return [...this.running.keys()];
  }

  start(): void {
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop());
    logger.info({ worker: this.id, concurrency: this.options.concurrency }, 'worker started');
  }

  /** How many loops are waiting for work (sleeping until the next poll or a notify()). */
  get idleLoops(): number {
    return this.sleepers.size;
  }

  /** Looks for work now instead of at the next poll (after a job was queued in this process). */
  notify(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /**
   * Stops claiming, waits up to `graceMs` for running jobs, then aborts the rest and hands them
   * back to the queue so another worker (or the next start) runs them.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.notify();
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (timedOut) {
      for (const [, r] of this.running) r.controller.abort(new ShutdownError());
      await all;
    }
    await Promise.all(this.loops);
    logger.info({ worker: this.id }, 'worker stopped');
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async loop(): Promise<void> {
    const poll = this.options.pollIntervalMs ?? 1000;
    while (!this.stopping) {
      let job: Job | null = null;
      try {
        await this.housekeeping();
        job = await claimJob(this.db, this.id, this.options.leaseSeconds, Object.keys(this.options.handlers));
      } catch (error) {
        logger.error({ err: error, worker: this.id }, 'could not claim a job');
      }
      if (!job) {
        if (!this.stopping) await this.sleep(poll);
        continue;
      }
      await this.run(job);
    }
  }

  private async housekeeping(): Promise<void> {
    await failExhaustedJobs(this.db);
    if (this.options.retentionDays !== undefined && Date.now() - this.lastPrune > 3_600_000) {
      this.lastPrune = Date.now();
      const pruned = await pruneJobs(this.db, this.options.retentionDays);
      if (pruned) logger.info({ pruned }, 'pruned finished jobs');
    }
  }

  /** Runs one claimed job to its outcome. Exposed for tests that drive a single step. */
  async run(job: Job): Promise<void> {
    const handler = this.options.handlers[job.type]!;
    const controller = new AbortController();
    let completed = false;
    let settle!: () => void;
    const done = new Promise<void>((r) => (settle = r));
    this.running.set(job.id, { controller, done });
    const log = logger.child({ job: job.id, type: job.type, attempt: job.attempts, worker: this.id });
    const lease = this.options.leaseSeconds;
    const beat = async (progress?: { step: string; percent: number }) => {
      const state = await heartbeat(this.db, job.id, this.id, lease, progress);
      if (!state.owned) controller.abort(new LeaseLostError(job.id));
      else if (state.cancelRequested) controller.abort(new CancelledError());
    };
    const timer = setInterval(() => void beat().catch((err: unknown) => log.warn({ err }, 'lease renewal failed')), (lease * 1000) / 3);
    const ctx: JobContext = {
      workerId: this.id,
      signal: controller.signal,
      progress: async (step, percent) => {
        await beat({ step, percent });
        controller.signal.throwIfAborted();
      },
      complete: async (tx, result) => {
        controller.signal.throwIfAborted();
        await completeJob(tx, job.id, this.id, result);
        completed = true;
      },
    };
    log.info('job started');
    try {
      const result = await handler(job, ctx);
      if (!completed) {
        controller.signal.throwIfAborted();
        await this.db.transaction((tx) => completeJob(tx, job.id, this.id, result));
      }
      log.info('job done');
    } catch (error) {
      await this.recordFailure(job, controller.signal.aborted ? controller.signal.reason : error, error, log);
    } finally {
      clearInterval(timer);
      this.running.delete(job.id);
      settle();
    }
  }

  private async recordFailure(job: Job, reason: unknown, original: unknown, log: typeof logger): Promise<void> {
    try {
      if (reason instanceof LeaseLostError) {
        log.warn('lease lost; another worker owns the job now');
        return;
      }
      if (reason instanceof ShutdownError) {
        await releaseJob(this.db, job.id, this.id);
        log.info('job handed back to the queue at shutdown');
        return;
      }
      if (reason instanceof CancelledError) {
        await failJob(this.db, job.id, this.id, 'Cancelled', null, null, new CancelledError().code);
        log.info('job cancelled');
        return;
      }
      const retryable = original instanceof AppError ? original.retryable : true;
      const delay = retryable ? retryDelaySeconds(job.attempts, this.options.retryBaseSeconds ?? 5) : null;
      const inputStatus = original instanceof AppError && original.status < 500 ? original.status : null;
      const code = original instanceof AppError ? original.code : 'internal';
      const updated = await failJob(this.db, job.id, this.id, errorMessage(original), delay, inputStatus, code);
      log.warn({ err: original, code, retryInSeconds: updated?.status === 'pending' ? delay : null }, 'job attempt failed');
    } catch (error) {
      log.error({ err: error }, 'could not record the job outcome; its lease will expire and it will run again');
    }
  }
}
