/**
 * The job contract's vocabulary, written once: the states every job passes through and the
 * steps of processing a video with their share of the progress bar. The pipeline reports these
 * names, the API's schema enumerates them and the web app draws its steps from this table, so
 * renaming a step is one edit here (the compiler finds every use). Pure: the web app imports it.
 */
export const JOB_STATUSES = ['pending', 'in_progress', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * In order. `share` is the step's part of the bar (the shares add up to 100); `perItem` steps run
 * once per media item of a post (a carousel), their shares divided among the items. `stage` is
 * the part of the work a person sees (the web app folds resolving into the download).
 */
export const PIPELINE_STEPS = [
  { name: 'resolving', stage: 'download', share: 5, perItem: false },
  { name: 'downloading', stage: 'download', share: 5, perItem: false },
  { name: 'probing', stage: 'probe', share: 8, perItem: true },
  { name: 'transcribing', stage: 'transcript', share: 13, perItem: true },
  { name: 'extracting key frames', stage: 'frames', share: 13, perItem: true },
  { name: 'analyzing', stage: 'analysis', share: 8, perItem: true },
  { name: 'cutting clips', stage: 'cut', share: 43, perItem: true },
  { name: 'storing', stage: 'store', share: 5, perItem: false },
] as const;

export type PipelineStep = (typeof PIPELINE_STEPS)[number]['name'];
export type PipelineStage = (typeof PIPELINE_STEPS)[number]['stage'];
export const PIPELINE_STEP_NAMES = PIPELINE_STEPS.map((s) => s.name) as [PipelineStep, ...PipelineStep[]];
/** The stages in order, each once. */
export const PIPELINE_STAGES = [...new Set(PIPELINE_STEPS.map((s) => s.stage))] as PipelineStage[];

export function isPipelineStep(step: string | null): step is PipelineStep {
  return (PIPELINE_STEP_NAMES as readonly (string | null)[]).includes(step);
}

/** The step a finished job shows (the contract's `progress.step` once the job is done). */
export const FINISHED_STEP = 'done';
/** Every step a job's progress can name: the pipeline's, then the finished one. */
export const PROGRESS_STEP_NAMES = [...PIPELINE_STEP_NAMES, FINISHED_STEP] as const;
export type ProgressStep = PipelineStep | typeof FINISHED_STEP;

export function isProgressStep(step: string | null): step is ProgressStep {
  return step === FINISHED_STEP || isPipelineStep(step);
}

export function stageOf(step: PipelineStep): PipelineStage {
  return PIPELINE_STEPS.find((s) => s.name === step)!.stage;
}

/** Where each step starts on the bar, and the span the per-item steps share among the items. */
const STARTS = PIPELINE_STEPS.map((_, i) => PIPELINE_STEPS.slice(0, i).reduce((sum, s) => sum + s.share, 0));
const ITEMS_START = STARTS[PIPELINE_STEPS.findIndex((s) => s.perItem)]!;
const ITEMS_SPAN = PIPELINE_STEPS.filter((s) => s.perItem).reduce((sum, s) => sum + s.share, 0);

/**
 * The percent at which `step` stands, `fraction` (0..1) of the way through it; for a per-item
 * step, in item `item` (0-based) of `items`.
 */
export function stepPercent(step: PipelineStep, at: { item?: number; items?: number; fraction?: number } = {}): number {
  const index = PIPELINE_STEPS.findIndex((s) => s.name === step);
  const { share, perItem } = PIPELINE_STEPS[index]!;
  const fraction = Math.min(Math.max(0, at.fraction ?? 0), 1);
  const start = STARTS[index]!;
  if (!perItem) return Math.round(start + share * fraction);
  const items = Math.max(1, at.items ?? 1);
  const item = Math.min(Math.max(0, at.item ?? 0), items - 1);
  return Math.round(ITEMS_START + (ITEMS_SPAN * item + (start - ITEMS_START) + share * fraction) / items);
}
