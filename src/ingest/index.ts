/**
 * Ingest: from a URL to cut clips with their analysis. It checks a URL may be fetched (no private
 * addresses), downloads (direct or yt-dlp), probes, finds key frames and subtitles, analyzes (AI,
 * offline or the caller's own segments) and encodes the clips into a temp folder. It stores
 * nothing: the processing service commits its output. Adapters only: it never imports services.
 */
export {
  assertSegmentsInside,
  chooseAnalyzer,
  explicitToAnalyzed,
  runPipeline,
  type Analyzer,
  type CutExercise,
  type ExplicitExercise,
  type PipelineContext,
  type PipelineInput,
  type PipelineOutput,
} from './pipeline.js';
export { assertFetchable, type FetchPolicy } from './resolve.js';
export type { AnalyzedExercise } from './types.js';
