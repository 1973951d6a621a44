import { isPipelineStep, PIPELINE_STAGES, stageOf, type JobStatus, type PipelineStage } from '../../../src/domain/jobs.js';

/**
 * Processing jobs as the Process page shows them: the server's steps folded into the stages
 * people see (both from the server's one table, src/domain/jobs.ts), and a reducer that merges
 * submissions, stream events and polls, ignoring updates older than what is already shown (a
 * poll can answer after a newer stream event).
 */
const STAGE_LABELS: Record<PipelineStage, string> = {
  download: 'Download',
  probe: 'Probe',
  transcript: 'Transcript',
  frames: 'Frames',
  analysis: 'Analysis',
  cut: 'Cut',
  store: 'Store',
};

export const STEPS = PIPELINE_STAGES.map((key) => ({ key, label: STAGE_LABELS[key] }));

/** Index into STEPS for a server step name; -1 before the first step. */
export function stepIndex(step: string | null): number {
  return isPipelineStep(step) ? PIPELINE_STAGES.indexOf(stageOf(step)) : -1;
}

export type { JobStatus };

/** The fields of the API's job view the page uses. */
export interface JobView {
  job_id: string;
  status: JobStatus;
  url: string | null;
  error: string | null;
  error_code?: string | null;
  progress: { step: string | null; percent: number };
  result: Record<string, unknown> | null;
  updated_at: string;
}

export interface ExplicitExercise {
  name: string;
  start_time: number;
  end_time: number;
}

export interface JobCard {
  id: string;
  url: string;
  status: JobStatus;
  step: number;
  percent: number;
  error: string | null;
  errorCode: string | null;
  clips: { id: string; name: string }[];
  updatedAt: string;
  /** What was submitted, so a failed job can be retried as it was. */
  exercises?: ExplicitExercise[];
  /** The live stream dropped: the page polls instead. */
  polling: boolean;
}

export type JobsState = { order: string[]; jobs: Record<string, JobCard> };

export type ProgressAction =
  | { type: 'submitted'; job: JobView; exercises?: ExplicitExercise[] }
  | { type: 'update'; job: JobView }
  | { type: 'stream-lost'; id: string }
  | { type: 'dismiss'; id: string };

export const EMPTY_JOBS: JobsState = { order: [], jobs: {} };

export function isFinished(status: JobStatus): boolean {
  return status === 'done' || status === 'failed';
}

function clipsOf(result: Record<string, unknown> | null): { id: string; name: string }[] {
  const clips = result?.processed_clips;
  if (!Array.isArray(clips)) return [];
  return clips.flatMap((c: { exercise_id?: unknown; exercise_name?: unknown }) =>
    typeof c.exercise_id === 'string' ? [{ id: c.exercise_id, name: String(c.exercise_name ?? 'Exercise') }] : [],
  );
}

function card(job: JobView, previous?: JobCard): JobCard {
  const step = job.status === 'done' ? STEPS.length - 1 : stepIndex(job.progress.step);
  return {
    id: job.job_id,
    url: job.url ?? previous?.url ?? '',
    status: job.status,
    step: step === -1 && previous ? previous.step : step,
    percent: job.status === 'done' ? 100 : job.progress.percent,
    error: job.error,
    errorCode: job.error_code ?? null,
    clips: clipsOf(job.result),
    updatedAt: job.updated_at,
    ...(previous?.exercises ? { exercises: previous.exercises } : {}),
    polling: previous?.polling ?? false,
  };
}

export function progressReducer(state: JobsState, action: ProgressAction): JobsState {
  switch (action.type) {
    case 'submitted': {
      const id = action.job.job_id;
      const next = { ...card(action.job, state.jobs[id]), ...(action.exercises ? { exercises: action.exercises } : {}) };
      return { order: [id, ...state.order.filter((o) => o !== id)], jobs: { ...state.jobs, [id]: next } };
    }
    case 'update': {
      const id = action.job.job_id;
      const previous = state.jobs[id];
      if (previous) {
        if (isFinished(previous.status) && !isFinished(action.job.status)) return state;
        if (action.job.updated_at < previous.updatedAt) return state;
      }
      const order = previous ? state.order : [...state.order, id];
      return { order, jobs: { ...state.jobs, [id]: card(action.job, previous) } };
    }
    case 'stream-lost': {
      const previous = state.jobs[action.id];
      if (!previous || previous.polling) return state;
      return { ...state, jobs: { ...state.jobs, [action.id]: { ...previous, polling: true } } };
    }
    case 'dismiss': {
      const { [action.id]: _gone, ...jobs } = state.jobs;
      return { order: state.order.filter((o) => o !== action.id), jobs };
    }
  }
}

/** What some error codes mean in words for people; any other failure shows its own message. */
const PLAIN_ERRORS: Record<string, string> = {
  cancelled: 'You cancelled this job.',
  private_address: 'That address is on a private network, which this server does not fetch from.',
  unsupported_url: 'This kind of link is not supported',
  validation_error: 'Something in what was sent does not fit',
  worker_lost: 'The worker processing this job stopped every time it tried.',
};

/** A job's error in words for people, chosen by its stable code (never by the message's wording). */
export function plainError(error: string | null, code: string | null = null): string {
  const plain = code ? PLAIN_ERRORS[code] : undefined;
  if (!error) return plain ?? 'The job failed without saying why.';
  if (!plain) return error;
  return plain.endsWith('.') ? plain : `${plain}: ${error}`;
}

/** Parses "name, start, end" lines (times in seconds or m:ss) for explicit exercises. */
export function parseExerciseLines(text: string): { exercises: ExplicitExercise[]; errors: string[] } {
  const exercises: ExplicitExercise[] = [];
  const errors: string[] = [];
  const seconds = (s: string): number => {
    const parts = s.trim().split(':').map(Number);
    return parts.reduce((acc, n) => acc * 60 + n, 0);
  };
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .forEach((line, i) => {
      const m = /^(.+?)\s*,\s*([\d:.]+)\s*(?:,|-|to)\s*([\d:.]+)$/.exec(line);
      const start = m ? seconds(m[2] as string) : NaN;
      const end = m ? seconds(m[3] as string) : NaN;
      if (!m || !Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
        errors.push(`Line ${i + 1}: write "name, start, end" with the end after the start (seconds or m:ss).`);
      } else exercises.push({ name: (m[1] as string).trim(), start_time: start, end_time: end });
    });
  return { exercises, errors };
}
