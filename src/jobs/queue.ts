import { ConflictError, LeaseLostError, NotFoundError, ValidationError } from '../errors.js';
import type { Db, Queryable } from '../database/db.js';
import { FINISHED_STEP, isUuid, JOB_STATUSES, type JobStatus } from '../domain/index.js';
import { toIso, toIsoOrNull } from '../time.js';
import { JOBS_DEFAULT_LIMIT, JOBS_MAX_LIMIT } from '../limits.js';

/**
 * The durable job store in PostgreSQL (the same SQL on PGlite and on a server). The seed's
 * functions keep their names: createJob, updateJobStatus, getJobStatus.
 */
export { JOB_STATUSES, type JobStatus } from '../domain/index.js';

export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  payload: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  /** The 4xx status of a failure caused by the submitted input; null for the server's own faults. */
  error_status: number | null;
  /** The failure's stable code (AppError.code; `internal` for faults that are not ours, `worker_lost`). */
  error_code: string | null;
  progress: { step: string | null; percent: number };
  attempts: number;
  max_attempts: number;
  cancel_requested: boolean;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface CreateJobInput {
  type: string;
  payload?: Record<string, unknown>;
  dedupeKey?: string | null;
  maxAttempts?: number;
}

const JOB_COLUMNS = `id, type, status, payload, dedupe_key, result, error, error_status, error_code, progress_step, progress_percent, attempts,
  max_attempts, cancel_requested, created_at, updated_at, started_at, finished_at`;

const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : ((v as Record<string, unknown> | null) ?? null));

export function mapJobRow(row: Record<string, unknown>): Job {
  return {
    id: row.id as string,
    type: row.type as string,
    status: row.status as JobStatus,
    payload: json(row.payload) ?? {},
    result: json(row.result),
    error: (row.error as string | null) ?? null,
    error_status: row.error_status === null || row.error_status === undefined ? null : Number(row.error_status),
    error_code: (row.error_code as string | null | undefined) ?? null,
    progress: { step: (row.progress_step as string | null) ?? null, percent: Number(row.progress_percent ?? 0) },
    attempts: Number(row.attempts),
    max_attempts: Number(row.max_attempts),
    cancel_requested: Boolean(row.cancel_requested),
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
    started_at: toIsoOrNull(row.started_at),
    finished_at: toIsoOrNull(row.finished_at),
  };
}

/**
 * Queues a job. With a dedupe key, a job already pending or running for that key is returned
 * instead (`created: false`); concurrent calls race on a unique index, so exactly one job exists.
 */
export async function createJob(db: Queryable, input: CreateJobInput): Promise<{ job: Job; created: boolean }> {
  if (!input.type) throw new ValidationError('type', 'required');
  const maxAttempts = input.maxAttempts ?? 3;
  for (let attempt = 0; attempt < 5; attempt++) {
    const inserted = await db.query(
      `INSERT INTO jobs (type, payload, dedupe_key, max_attempts) VALUES ($1, $2::jsonb, $3, $4)
       ON CONFLICT (dedupe_key) WHERE status IN ('pending', 'in_progress') DO NOTHING
       RETURNING ${JOB_COLUMNS}`,
      [input.type, JSON.stringify(input.payload ?? {}), input.dedupeKey ?? null, maxAttempts],
    );
    if (inserted[0]) return { job: mapJobRow(inserted[0]), created: true };
    const active = await db.query(
      `SELECT ${JOB_COLUMNS} FROM jobs WHERE dedupe_key = $1 AND status IN ('pending', 'in_progress')`,
      [input.dedupeKey],
    );
    if (active[0]) return { job: mapJobRow(active[0]), created: false };
    // The active job finished between our insert and select: try again.
  }
  throw new Error('could not create or find the job for this key');
}

export async function getJobStatus(db: Queryable, id: string): Promise<Job | null> {
  if (!isUuid(id)) return null;
  const rows = await db.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]);
  return rows[0] ? mapJobRow(rows[0]) : null;
}

export async function listJobs(
  db: Queryable,
  options: { status?: JobStatus; limit?: number; offset?: number } = {},
): Promise<Job[]> {
  const limit = options.limit ?? JOBS_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > JOBS_MAX_LIMIT) throw new ValidationError('limit', `must be an integer from 1 to ${JOBS_MAX_LIMIT}`);
  if (options.status && !JOB_STATUSES.includes(options.status)) {
    throw new ValidationError('status', `must be one of ${JOB_STATUSES.join(', ')}`);
  }
  const rows = await db.query(
    `SELECT ${JOB_COLUMNS} FROM jobs WHERE ($1::text IS NULL OR status = $1)
     ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
    [options.status ?? null, limit, options.offset ?? 0],
  );
  return rows.map(mapJobRow);
}

export async function countJobsByStatus(db: Queryable): Promise<Record<JobStatus, number>> {
  const rows = await db.query<{ status: JobStatus; n: number }>('SELECT status, count(*)::int AS n FROM jobs GROUP BY status');
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/**
 * The seed's general-purpose update: sets the status and, when given, result, error and
 * progress. Moving to done/failed stamps finished_at and releases the lease.
 */
export async function updateJobStatus(
  db: Queryable,
  id: string,
  status: JobStatus,
  fields: { result?: Record<string, unknown> | null; error?: string | null; step?: string; percent?: number } = {},
): Promise<Job> {
  if (!JOB_STATUSES.includes(status)) throw new ValidationError('status', `must be one of ${JOB_STATUSES.join(', ')}`);
  if (!isUuid(id)) throw new NotFoundError('Job', id);
  const finished = status === 'done' || status === 'failed';
  const rows = await db.query(
    `UPDATE jobs SET status = $2,
       result = CASE WHEN $3::boolean THEN $4::jsonb ELSE result END,
       error = CASE WHEN $5::boolean THEN $6 ELSE error END,
       progress_step = COALESCE($7, progress_step),
       progress_percent = COALESCE($8, progress_percent),
       finished_at = CASE WHEN $9::boolean THEN now() ELSE NULL END,
       locked_by = CASE WHEN $9::boolean OR $2 = 'pending' THEN NULL ELSE locked_by END,
       locked_until = CASE WHEN $9::boolean OR $2 = 'pending' THEN NULL ELSE locked_until END,
       updated_at = now()
     WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
    [
      id,
      status,
      fields.result !== undefined,
      fields.result === undefined ? null : JSON.stringify(fields.result),
      fields.error !== undefined,
      fields.error ?? null,
      fields.step ?? null,
      fields.percent === undefined ? null : Math.max(0, Math.min(100, Math.round(fields.percent))),
      finished,
    ],
  );
  if (!rows[0]) throw new NotFoundError('Job', id);
  return mapJobRow(rows[0]);
}

/**
 * Claims the next runnable job for `workerId`: a pending job whose time has come, or a running
 * one whose lease expired (its worker died). SKIP LOCKED keeps concurrent workers disjoint.
 */
export async function claimJob(db: Queryable, workerId: string, leaseSeconds: number, types: readonly string[]): Promise<Job | null> {
  const rows = await db.query(
    `UPDATE jobs SET status = 'in_progress', attempts = attempts + 1, locked_by = $1,
       locked_until = now() + make_interval(secs => $2), started_at = COALESCE(started_at, now()),
       error = NULL, updated_at = now()
     WHERE id = (
       SELECT id FROM jobs
       WHERE type = ANY($3::text[])
         AND ((status = 'pending' AND run_after <= now())
              OR (status = 'in_progress' AND locked_until < now() AND attempts < max_attempts))
       ORDER BY run_after, created_at
       FOR UPDATE SKIP LOCKED
       LIMIT 1)
     RETURNING ${JOB_COLUMNS}`,
    [workerId, leaseSeconds, types],
  );
  return rows[0] ? mapJobRow(rows[0]) : null;
}

/**
 * Renews the lease and records progress. Returns false when this worker no longer owns the job
 * (its lease expired and another worker took it), so the caller stops working on it.
 */
export async function heartbeat(
  db: Queryable,
  id: string,
  workerId: string,
  leaseSeconds: number,
  progress?: { step: string; percent: number },
): Promise<{ owned: boolean; cancelRequested: boolean }> {
  const rows = await db.query<{ cancel_requested: boolean }>(
    `UPDATE jobs SET locked_until = now() + make_interval(secs => $3),
       progress_step = COALESCE($4, progress_step), progress_percent = COALESCE($5, progress_percent), updated_at = now()
     WHERE id = $1 AND locked_by = $2 AND status = 'in_progress'
     RETURNING cancel_requested`,
    [id, workerId, leaseSeconds, progress?.step ?? null, progress === undefined ? null : Math.round(progress.percent)],
  );
  return { owned: rows.length === 1, cancelRequested: Boolean(rows[0]?.cancel_requested) };
}

/**
 * Marks a claimed job done with its result, only while this worker still owns it. Call it inside
 * the transaction that stores the job's output: if the lease was lost, the whole transaction
 * rolls back, so a job's output is committed exactly once.
 */
export async function completeJob(tx: Queryable, id: string, workerId: string, result: Record<string, unknown>): Promise<void> {
  const rows = await tx.query(
    `UPDATE jobs SET status = 'done', result = $3::jsonb, error = NULL, progress_percent = 100, progress_step = $4,
       finished_at = now(), locked_by = NULL, locked_until = NULL, updated_at = now()
     WHERE id = $1 AND locked_by = $2 AND status = 'in_progress' RETURNING id`,
    [id, workerId, JSON.stringify(result), FINISHED_STEP],
  );
  if (!rows[0]) throw new LeaseLostError(id);
}

/** A failed attempt: retried after `retryInSeconds` while attempts remain, else failed for good. */
export async function failJob(
  db: Queryable,
  id: string,
  workerId: string,
  error: string,
  retryInSeconds: number | null,
  errorStatus: number | null = null,
  errorCode: string | null = null,
): Promise<Job | null> {
  const rows = await db.query(
    `UPDATE jobs SET
       status = CASE WHEN $4::float8 IS NOT NULL AND attempts < max_attempts AND NOT cancel_requested THEN 'pending' ELSE 'failed' END,
       run_after = CASE WHEN $4::float8 IS NOT NULL THEN now() + make_interval(secs => $4::float8) ELSE run_after END,
       error = $3, error_status = $5, error_code = $6, locked_by = NULL, locked_until = NULL, updated_at = now(),
       finished_at = CASE WHEN $4::float8 IS NOT NULL AND attempts < max_attempts AND NOT cancel_requested THEN NULL ELSE now() END
     WHERE id = $1 AND locked_by = $2 AND status = 'in_progress'
     RETURNING ${JOB_COLUMNS}`,
    [id, workerId, error, retryInSeconds, errorStatus, errorCode],
  );
  return rows[0] ? mapJobRow(rows[0]) : null;
}

/**
 * Cancels a job: a pending one fails at once; a running one is flagged and its worker stops at
 * the next step. Finished jobs are left as they are.
 */
export async function cancelJob(db: Db, id: string): Promise<Job> {
  if (!isUuid(id)) throw new NotFoundError('Job', id);
  const rows = await db.query(
    `UPDATE jobs SET cancel_requested = true, updated_at = now(),
       status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
       error = CASE WHEN status = 'pending' THEN 'Cancelled' ELSE error END,
       error_code = CASE WHEN status = 'pending' THEN 'cancelled' ELSE error_code END,
       finished_at = CASE WHEN status = 'pending' THEN now() ELSE finished_at END
     WHERE id = $1 AND status IN ('pending', 'in_progress') RETURNING ${JOB_COLUMNS}`,
    [id],
  );
  if (rows[0]) return mapJobRow(rows[0]);
  // Nothing to stop: saying "cancelled" for a job that already ended would be a lie.
  const job = await getJobStatus(db, id);
  if (!job) throw new NotFoundError('Job', id);
  throw new ConflictError(`Job ${id} is already ${job.status}: there is nothing to cancel`);
}

/** Hands a job back to the queue (graceful shutdown): it runs again without counting an attempt. */
export async function releaseJob(db: Queryable, id: string, workerId: string): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = 'pending', attempts = GREATEST(attempts - 1, 0), locked_by = NULL, locked_until = NULL,
       run_after = now(), updated_at = now()
     WHERE id = $1 AND locked_by = $2 AND status = 'in_progress'`,
    [id, workerId],
  );
}

/** Deletes finished jobs older than the retention; returns how many. */
export async function pruneJobs(db: Queryable, retentionDays: number): Promise<number> {
  const rows = await db.query(
    `DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < now() - make_interval(secs => $1::float8) RETURNING id`,
    [retentionDays * 86_400],
  );
  return rows.length;
}

/** Jobs that ran out of attempts while their worker kept dying are failed rather than retried forever. */
export async function failExhaustedJobs(db: Queryable): Promise<number> {
  const rows = await db.query(
    `UPDATE jobs SET status = 'failed', error = COALESCE(error, 'The worker stopped during every attempt'), error_code = COALESCE(error_code, 'worker_lost'),
       finished_at = now(), locked_by = NULL, locked_until = NULL, updated_at = now()
     WHERE status = 'in_progress' AND locked_until < now() AND attempts >= max_attempts RETURNING id`,
  );
  return rows.length;
}
