import { Worker } from '../jobs/index.js';
import type { AppContext } from './context.js';
import { createProcessHandler, PROCESS_JOB } from './processing.js';

/**
 * The job worker with this service's handlers, for `serve`, `worker` and `process` alike. It is
 * attached to the context so jobs queued in this process wake it at once.
 */
export function startWorker(ctx: AppContext, concurrency = ctx.config.jobs.concurrency): Worker {
  const worker = new Worker(ctx.db, {
    handlers: { [PROCESS_JOB]: createProcessHandler(ctx) },
    concurrency,
    leaseSeconds: ctx.config.jobs.leaseSeconds,
    retentionDays: ctx.config.jobs.retentionDays,
  });
  ctx.worker = worker;
  worker.start();
  return worker;
}
