import { JobInputError, NotFoundError, ProcessingError, type AppError } from '../errors.js';
import { cancelJob as cancelQueuedJob, countJobsByStatus, getJobStatus, listJobs as listQueuedJobs, type Job, type JobStatus } from '../jobs/index.js';
import { logger } from '../logger.js';
import type { AppContext } from './context.js';

/**
 * Background jobs as the API and the CLI see them: read, list, cancel, count and wait. The
 * queue's SQL stays in src/jobs; entry points come here instead.
 */
export type { Job, JobStatus };
export { JOB_STATUSES } from '../jobs/index.js';

/** How often a waiting caller looks at the job again. */
const WAIT_POLL_MS = 200;

export async function getJob(ctx: AppContext, id: string): Promise<Job> {
  const job = await getJobStatus(ctx.db, id);
  if (!job) throw new NotFoundError('Job', id);
  return job;
}

export function listJobs(ctx: AppContext, options: { status?: JobStatus; limit?: number; offset?: number } = {}): Promise<Job[]> {
  return listQueuedJobs(ctx.db, options);
}

export function cancelJob(ctx: AppContext, id: string): Promise<Job> {
  return cancelQueuedJob(ctx.db, id);
}

/**
 * What a failed job means to whoever waited for it, the same for the API (its status) and the
 * CLI (the exit code derived from that status): a failure caused by the submitted input is that
 * input's 4xx, anything else a processing failure.
 */
export function jobFailure(job: Job): AppError {
  if (job.error_status) return new JobInputError(job.error_status, job.error ?? 'The request could not be processed');
  return new ProcessingError(`Processing failed: ${job.error ?? 'unknown error'}`);
}

/** Jobs per state, or null when the database does not answer (callers report "unknown", not zero). */
export async function countJobs(ctx: AppContext): Promise<Record<JobStatus, number> | null> {
  try {
    return await countJobsByStatus(ctx.db);
  } catch (error) {
    logger.warn({ err: error }, 'could not count jobs');
    return null;
  }
}

/**
 * Polls until the job finishes, the timeout passes or the process starts shutting down, and
 * returns the job as last seen. `onProgress` sees every poll (the CLI's progress bar).
 */
export async function waitForJob(ctx: AppContext, id: string, timeoutMs: number, onProgress?: (job: Job) => void): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJobStatus(ctx.db, id);
    if (!job) throw new ProcessingError(`Job ${id} disappeared`);
    onProgress?.(job);
    if (job.status === 'done' || job.status === 'failed' || Date.now() >= deadline || ctx.closing) return job;
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}
