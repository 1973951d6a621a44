import fs from 'node:fs/promises';
import path from 'node:path';
import { ownClipPaths, deleteExercisesOfSlides, getExercisesByIds, getExercisesByUrl } from '../database/index.js';
import { stepPercent, type Exercise, type ExerciseInput } from '../domain/index.js';
import { AppError, ConflictError, JobInputError, ProcessingError, ValidationError, publicReason } from '../errors.js';
import { assertFetchable, runPipeline, type ExplicitExercise, type PipelineOutput } from '../ingest/index.js';
import { completeJob, createJob, updateJobStatus, type Job, type JobHandler } from '../jobs/index.js';
import { logger } from '../logger.js';
import { normalizeUrl } from '../urls/index.js';
import { inTransactionRemovingClips } from './clip-removal.js';
import type { AppContext } from './context.js';
import { jobFailure, waitForJob } from './jobs.js';
import { embedForStore, writeExercises } from './library.js';

/**
 * Processing a URL: submission (deduplicated, answered from the library when already done),
 * the background job that runs the pipeline, and the store step that commits rows, vectors,
 * files and the job's completion together.
 */
export const PROCESS_JOB = 'process_url';

export interface ProcessRequest {
  url: string;
  background?: boolean;
  force?: boolean;
  exercises?: ExplicitExercise[];
}

export interface Clip {
  exercise_id: string;
  exercise_name: string;
  video_path: string | null;
  segments_count: number;
  total_duration: number;
  segments: { start_time: number | null; end_time: number | null }[];
}

export interface ProcessResponse {
  success: boolean;
  processed_clips: Clip[];
  total_clips: number;
  processing_time: number;
  temp_dir: null;
  job_id?: string;
  status?: Job['status'];
  existing?: boolean;
  /** Set when the answer is not the final one (the job still runs): say what to do next. */
  message?: string;
}

export function toClip(e: Exercise): Clip {
  return {
    exercise_id: e.id,
    exercise_name: e.exercise_name,
    video_path: e.video_path,
    segments_count: 1,
    total_duration: e.duration ?? 0,
    segments: [{ start_time: e.start_time, end_time: e.end_time }],
  };
}

function dedupeKey(normalized: string, carouselIndex: number, explicitSlide: boolean): string {
  return `${PROCESS_JOB}:${normalized}#${explicitSlide ? carouselIndex : 'all'}`;
}

/** Queues (or finds) the job for a URL. Validation and the private-address check answer at once. */
export async function submitUrl(
  ctx: AppContext,
  request: ProcessRequest,
): Promise<{ job: Job; created: boolean; existing: Exercise[] | null }> {
  const source = normalizeUrl(request.url);
  // A segment too short to keep would only fail the job later with a vaguer reason.
  const { minClipSeconds } = ctx.config.media;
  request.exercises?.forEach((e, i) => {
    if (e.end_time - e.start_time < minClipSeconds) {
      throw new ValidationError(`exercises.${i}`, `"${e.name}" is ${Math.round((e.end_time - e.start_time) * 100) / 100} s long, shorter than MIN_CLIP_SECONDS (${minClipSeconds} s)`);
    }
  });
  await assertFetchable(source.original, { ...ctx.fetchPolicy, allowPrivate: ctx.config.media.allowPrivateUrls });
  const explicitSlide = new URL(source.original).searchParams.has('img_index');
  if (!request.force) {
    const existing = (await getExercisesByUrl(ctx.db, source.original)).filter(
      (e) => !explicitSlide || e.carousel_index === source.carouselIndex,
    );
    if (existing.length && request.exercises?.length) {
      // The given segments would otherwise be dropped without a word.
      throw new ConflictError(
        'exercises: this URL was already processed; send "force": true to re-cut it with the given exercises (its current exercises are replaced)',
      );
    }
    if (existing.length) {
      // Answered from the library; a finished job record keeps the background contract (a job_id to poll).
      const { job } = await createJob(ctx.db, { type: PROCESS_JOB, payload: { url: source.original, existing: true } });
      const done = await updateJobStatus(ctx.db, job.id, 'done', { result: resultFromExercises(existing, 0, true) });
      return { job: done, created: false, existing };
    }
  }
  const { job, created } = await createJob(ctx.db, {
    type: PROCESS_JOB,
    payload: { url: source.original, force: request.force ?? false, exercises: request.exercises ?? null },
    dedupeKey: dedupeKey(source.normalized, source.carouselIndex, explicitSlide),
    maxAttempts: ctx.config.jobs.maxAttempts,
  });
  if (created) ctx.worker?.notify();
  return { job, created, existing: null };
}

function resultFromExercises(exercises: Exercise[], seconds: number, existing: boolean): Record<string, unknown> {
  return {
    success: true,
    exercise_ids: exercises.map((e) => e.id),
    processed_clips: exercises.map(toClip),
    total_clips: exercises.length,
    processing_time: seconds,
    existing,
  };
}

/**
 * The contract's POST /process in both modes. `accepted` means the answer is not final: the job
 * was queued (background) or still runs after the wait (the API answers 202 then).
 */
export async function processUrl(ctx: AppContext, request: ProcessRequest): Promise<ProcessResponse & { accepted?: boolean }> {
  const started = performance.now();
  const { job, existing } = await submitUrl(ctx, request);
  if (existing) {
    return {
      success: true,
      processed_clips: request.background ? [] : existing.map(toClip),
      total_clips: request.background ? 0 : existing.length,
      processing_time: 0,
      temp_dir: null,
      job_id: job.id,
      status: job.status,
      existing: true,
    };
  }
  if (request.background) {
    return { success: true, processed_clips: [], total_clips: 0, processing_time: 0, temp_dir: null, job_id: job.id, status: job.status };
  }
  const finished = await waitForJob(ctx, job.id, ctx.config.jobs.syncTimeoutSeconds * 1000);
  if (finished.status === 'failed') throw jobFailure(finished);
  if (finished.status !== 'done') {
    // Still running after the wait (timeout or shutdown): never a success that reads as "no
    // exercises found", but the job to poll.
    return {
      success: false,
      processed_clips: [],
      total_clips: 0,
      processing_time: Math.round((performance.now() - started) / 10) / 100,
      temp_dir: null,
      job_id: job.id,
      status: finished.status,
      message: `Still ${finished.status === 'pending' ? 'queued' : 'processing'}: poll /api/v1/job-status/${job.id}`,
      accepted: true,
    };
  }
  const ids = (finished.result?.exercise_ids as string[] | undefined) ?? [];
  const exercises = await getExercisesByIds(ctx.db, ids);
  return {
    success: true,
    processed_clips: exercises.map(toClip),
    total_clips: exercises.length,
    processing_time: Math.round((performance.now() - started) / 10) / 100,
    temp_dir: null,
    job_id: job.id,
    status: 'done',
  };
}

function toExerciseInput(out: PipelineOutput, cut: PipelineOutput['exercises'][number], jobId: string): ExerciseInput {
  const { name, start_time: _analyzedStart, end_time: _analyzedEnd, confidence: _confidence, ...description } = cut.analyzed;
  return {
    ...description,
    id: cut.id,
    url: out.source.original,
    normalized_url: out.source.normalized,
    platform: out.source.platform,
    carousel_index: cut.carouselIndex,
    exercise_name: name,
    ...ownClipPaths(cut.id),
    // The cut's times, which post-processing may have moved from the analyzer's.
    start_time: cut.start,
    end_time: cut.end,
    job_id: jobId,
  };
}

/** Moves a file, falling back to copy + remove when CLIPS_DIR is on another filesystem. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await fs.copyFile(from, to);
    await fs.rm(from, { force: true });
  }
}

/**
 * Commits a pipeline's output: clip files are moved into CLIPS_DIR, then rows, vectors and the
 * job's completion commit in one transaction. If anything fails the moved files are removed
 * again, so no outcome leaves a file without a row or a row without its file. A forced re-run
 * replaces the source's old exercises in the same transaction, and only then drops their files.
 */
export async function storePipelineOutput(
  ctx: AppContext,
  job: Job,
  out: PipelineOutput,
  complete: (tx: Parameters<typeof completeJob>[0], result: Record<string, unknown>) => Promise<void>,
  started: number,
): Promise<Record<string, unknown>> {
  const inputs = out.exercises.map((cut) => toExerciseInput(out, cut, job.id));
  const batch = await embedForStore(ctx, inputs);
  const clipsDir = ctx.config.clipsDir;
  await fs.mkdir(clipsDir, { recursive: true });
  const moved: string[] = [];
  try {
    for (const cut of out.exercises) {
      for (const file of [cut.clipFile, cut.thumbnailFile]) {
        const target = path.join(clipsDir, path.basename(file));
        await moveFile(file, target);
        moved.push(target);
        // The sweep's grace period counts from here, not from when the file was encoded.
        const now = new Date();
        await fs.utimes(target, now, now);
      }
    }
    const force = job.payload.force === true;
    return await inTransactionRemovingClips(ctx.db, clipsDir, async (tx, stage) => {
      if (force) {
        const slides = [...new Set(out.exercises.map((e) => e.carouselIndex))];
        await stage(await deleteExercisesOfSlides(tx, out.source.normalized, slides));
      }
      const rows = await writeExercises(ctx, tx, batch, 'error');
      const seconds = Math.round((performance.now() - started) / 10) / 100;
      const result = {
        ...resultFromExercises(rows, seconds, false),
        analyzer: out.analyzer,
        source: { url: out.source.original, normalized_url: out.source.normalized, platform: out.source.platform },
        title: out.download.title,
        timings: Object.fromEntries(Object.entries(out.timings).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
      };
      await complete(tx, result);
      return result;
    });
  } catch (error) {
    await Promise.all(moved.map((f) => fs.rm(f, { force: true })));
    throw error;
  }
}

/**
 * Removes what an earlier attempt of this job left in the temp folder: a worker killed with -9
 * cannot clean up after itself, so the attempt that takes the job over does.
 */
async function removeTempFoldersOf(tempDir: string, jobId: string): Promise<void> {
  const names = await fs.readdir(tempDir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => n.startsWith(`job-${jobId}-`)).map((n) => fs.rm(path.join(tempDir, n), { recursive: true, force: true })),
  );
}

/** The job handler for `process_url`: pipeline in a temp folder that is always removed. */
export function createProcessHandler(ctx: AppContext): JobHandler {
  return async (job, jobCtx) => {
    const started = performance.now();
    await fs.mkdir(ctx.config.tempDir, { recursive: true });
    await removeTempFoldersOf(ctx.config.tempDir, job.id);
    const workDir = await fs.mkdtemp(path.join(ctx.config.tempDir, `job-${job.id}-`));
    try {
      const out = await runPipeline(
        { url: String(job.payload.url), exercises: (job.payload.exercises as ExplicitExercise[] | null) ?? undefined },
        { config: ctx.config, workDir, signal: jobCtx.signal, progress: jobCtx.progress, fetchPolicy: ctx.fetchPolicy },
      );
      await jobCtx.progress('storing', stepPercent('storing'));
      return await storePipelineOutput(ctx, job, out, jobCtx.complete, started);
    } catch (error) {
      if (jobCtx.signal.aborted) throw error;
      // The job's error is read by whoever submitted the URL: a short reason only. Tool output,
      // server paths and internal faults stay in the log under the job id.
      logger.warn({ err: error, jobId: job.id }, 'processing failed');
      // A mistake in what was submitted keeps its own status and message (both are for the user).
      if (error instanceof AppError && error.status < 500) throw error;
      const retryable = error instanceof AppError ? error.retryable : true;
      throw new ProcessingError(publicReason(error, `Internal error while processing (job ${job.id}); the server log has the details`), {
        cause: error,
        retryable,
      });
    } finally {
      await fs.rm(workDir, { recursive: true, force: true }).catch((err) => logger.warn({ err, workDir }, 'could not remove temp folder'));
    }
  };
}
