import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { stepPercent, type PipelineStep } from '../domain/index.js';
import { ProcessingError, ValidationError } from '../errors.js';
import { normalizeUrl, type NormalizedUrl } from '../urls/index.js';
import { analyzeWithAI } from './analyze.js';
import { planClips } from './clip-plan.js';
import { downloadMedia } from './download.js';
import { cutClip, extractAudio } from './encode.js';
import { extractKeyFramesDetailed } from './keyframes.js';
import { analyzeOffline } from './offline-analyzer.js';
import { probeVideo, type VideoInfo } from './probe.js';
import { assertFetchable, type FetchPolicy } from './resolve.js';
import { cuesToTranscript, parseSubtitles } from './subtitles.js';
import { transcribeAudio } from '../ai/transcribe.js';
import { unratedExercise, type AnalysisInput, type AnalyzedExercise, type DownloadResult, type MediaItem } from './types.js';

/**
 * From a URL to cut clips in a temporary folder: resolve, download, probe, transcript, key
 * frames, analyze, plan, cut. Storing is the caller's (it owns the transaction); this module
 * only produces files and their descriptions, and never writes outside `workDir`.
 */
export interface ExplicitExercise {
  name: string;
  start_time: number;
  end_time: number;
  carousel_index?: number;
  how_to?: string;
  fitness_level?: number;
  intensity?: number;
  rounds_reps?: string;
}

export interface PipelineInput {
  url: string;
  /** Exercises given with the request: analysis is skipped and these segments are cut. */
  exercises?: ExplicitExercise[];
}

export interface CutExercise {
  /** Chosen before cutting: the clip's file name and the row's id. */
  id: string;
  carouselIndex: number;
  analyzed: AnalyzedExercise;
  start: number;
  end: number;
  clipFile: string;
  thumbnailFile: string;
}

export type Analyzer = 'ai' | 'offline' | 'explicit';

export interface PipelineOutput {
  source: NormalizedUrl;
  download: Omit<DownloadResult, 'items'>;
  analyzer: Analyzer;
  exercises: CutExercise[];
  /** Seconds spent per step, summed over media items. */
  timings: Record<string, number>;
}

export interface PipelineContext {
  config: Config;
  workDir: string;
  signal?: AbortSignal;
  progress(step: PipelineStep, percent: number): Promise<void>;
  fetchPolicy?: Pick<FetchPolicy, 'lookup' | 'isPrivate'>;
}

const THUMBNAIL_WIDTH = 480;

export function chooseAnalyzer(config: Config, input: PipelineInput): Analyzer {
  if (input.exercises?.length) return 'explicit';
  return config.ai.analysisModel && (config.ai.baseUrl || config.ai.apiKey) ? 'ai' : 'offline';
}

/** Explicit segments as analyzer output: the user's names and times, nothing invented. */
export function explicitToAnalyzed(list: readonly ExplicitExercise[], carouselIndex: number): AnalyzedExercise[] {
  return list
    .filter((e) => (e.carousel_index ?? 1) === carouselIndex)
    .map((e) =>
      unratedExercise({
        name: e.name,
        start_time: e.start_time,
        end_time: e.end_time,
        confidence: 1,
        how_to: e.how_to ?? null,
        rounds_reps: e.rounds_reps ?? null,
        ...(e.fitness_level !== undefined ? { fitness_level: e.fitness_level } : {}),
        ...(e.intensity !== undefined ? { intensity: e.intensity } : {}),
      }),
    );
}

/**
 * A given segment that starts at or after the end of the video cannot be cut: the job fails
 * naming it (before any frame is extracted), rather than with a vague "nothing fits".
 */
export function assertSegmentsInside(list: readonly ExplicitExercise[], carouselIndex: number, duration: number): void {
  list.forEach((e, i) => {
    if ((e.carousel_index ?? 1) !== carouselIndex || e.start_time < duration) return;
    throw new ValidationError(
      `exercises.${i}`,
      `"${e.name}" starts at ${e.start_time} s, at or after the end of the video (${Math.round(duration * 100) / 100} s)`,
    );
  });
}

export async function runPipeline(input: PipelineInput, ctx: PipelineContext): Promise<PipelineOutput> {
  const { config } = ctx;
  const media = config.media;
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      timings[step] = (timings[step] ?? 0) + (performance.now() - started) / 1000;
    }
  };
  const ffmpeg = { ffmpegPath: media.ffmpegPath, timeoutMs: media.ffmpegTimeoutMs, signal: ctx.signal };

  await ctx.progress('resolving', stepPercent('resolving'));
  const source = normalizeUrl(input.url);
  await timed('resolve', () => assertFetchable(source.original, { ...ctx.fetchPolicy, allowPrivate: media.allowPrivateUrls }));

  await ctx.progress('downloading', stepPercent('downloading'));
  const downloaded = await timed('download', () =>
    downloadMedia({ url: source.original, platform: source.platform, carouselIndex: source.carouselIndex }, path.join(ctx.workDir, 'download'), {
      ytdlpPath: media.ytdlpPath,
      maxBytes: media.maxDownloadBytes,
      timeoutMs: media.downloadTimeoutMs,
      allowPrivate: media.allowPrivateUrls,
      ...ctx.fetchPolicy,
      signal: ctx.signal,
    }),
  );
  if (downloaded.items.length === 0) throw new ProcessingError('No video found at this URL');
  const { items, ...download } = downloaded;
  const analyzer = chooseAnalyzer(config, input);
  const exercises: CutExercise[] = [];

  for (const [i, item] of items.entries()) {
    const at = (step: PipelineStep, fraction = 0) => stepPercent(step, { item: i, items: items.length, fraction });
    const itemDir = path.join(ctx.workDir, `item-${item.carouselIndex}`);
    await fs.mkdir(itemDir, { recursive: true });

    await ctx.progress('probing', at('probing'));
    const info = await timed('probe', () =>
      probeVideo(item.path, { ffprobePath: media.ffprobePath, timeoutMs: 60_000, maxVideoSeconds: media.maxVideoSeconds, signal: ctx.signal }),
    );

    if (analyzer === 'explicit') assertSegmentsInside(input.exercises ?? [], item.carouselIndex, info.duration);

    await ctx.progress('transcribing', at('transcribing'));
    const transcript = await timed('transcript', () => readTranscript(item, info, itemDir, config, ctx.signal));

    await ctx.progress('extracting key frames', at('extracting key frames'));
    const frames = await timed('frames', () =>
      extractKeyFramesDetailed(item.path, path.join(itemDir, 'frames'), { ...ffmpeg, max: media.maxKeyFrames, maxSeconds: info.duration }),
    );

    await ctx.progress('analyzing', at('analyzing'));
    const analysisInput: AnalysisInput = {
      frames: frames.frames.map((f) => ({ time: f.time, path: f.path })),
      transcript,
      caption: download.caption,
      title: download.title,
      tags: download.tags,
      carouselIndex: item.carouselIndex,
      carouselCount: items.length,
      duration: info.duration,
      sceneChanges: frames.sceneChanges,
      sourceUrl: source.original,
    };
    const analyzed = await timed('analyze', async () => {
      if (analyzer === 'explicit') return explicitToAnalyzed(input.exercises ?? [], item.carouselIndex);
      if (analyzer === 'ai') {
        return analyzeWithAI(analysisInput, {
          baseUrl: config.ai.baseUrl,
          apiKey: config.ai.apiKey,
          model: config.ai.analysisModel!,
          timeoutMs: config.ai.timeoutMs,
          maxFrames: media.maxKeyFrames,
        });
      }
      return analyzeOffline(analysisInput);
    });

    const plan = planClips(
      analyzed.map((a) => ({ ...a, start: a.start_time, end: a.end_time })),
      { videoDuration: info.duration, minClipSeconds: media.minClipSeconds, maxClipSeconds: media.maxClipSeconds },
    );

    // Ids (and so file names) are chosen before cutting, never from model output, and the
    // exercises keep the plan's order whatever order the cuts finish in.
    const cuts = plan.map((clip) => {
      const id = randomUUID();
      return { clip, id, clipFile: path.join(itemDir, `${id}.mp4`), thumbnailFile: path.join(itemDir, `${id}.jpg`) };
    });
    // x264 already spreads one encode over the cores, but not fully (seek, decode, audio and the
    // faststart rewrite are mostly serial): 2 cuts at a time measured fastest on 2 cores (1 vs 2
    // vs 3 in the pipeline bench). Each run writes the clip and its thumbnail (one decode).
    const CUT_CONCURRENCY = 2;
    await timed('cut', async () => {
      // The first failure stops the other cuts, and nothing is left running when this returns.
      const stop = new AbortController();
      const onAbort = () => stop.abort(ctx.signal?.reason);
      if (ctx.signal?.aborted) onAbort();
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      const failures: unknown[] = [];
      let next = 0;
      const worker = async () => {
        while (failures.length === 0 && next < cuts.length) {
          const k = next++;
          const { clip, clipFile, thumbnailFile } = cuts[k]!;
          try {
            await ctx.progress('cutting clips', at('cutting clips', k / cuts.length));
            await cutClip({
              ...ffmpeg,
              signal: stop.signal,
              input: item.path,
              start: clip.start,
              end: clip.end,
              output: clipFile,
              thumbnail: { output: thumbnailFile, at: Math.min(1, (clip.end - clip.start) / 2), width: THUMBNAIL_WIDTH },
            });
          } catch (error) {
            failures.push(error);
            stop.abort(error);
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.min(CUT_CONCURRENCY, cuts.length) }, worker));
      } finally {
        ctx.signal?.removeEventListener('abort', onAbort);
      }
      if (failures.length) throw failures[0];
    });
    for (const { clip, id, clipFile, thumbnailFile } of cuts) {
      const { start: _s, end: _e, ...analyzedFields } = clip;
      exercises.push({
        id,
        carouselIndex: item.carouselIndex,
        analyzed: { ...analyzedFields, start_time: clip.start, end_time: clip.end },
        start: clip.start,
        end: clip.end,
        clipFile,
        thumbnailFile,
      });
    }
  }
  if (exercises.length === 0) {
    throw new ProcessingError(
      analyzer === 'explicit'
        ? 'None of the given exercise segments fits the video (check the times and the clip length limits)'
        : 'Nothing recognisable: no exercise segment of a usable length was found',
    );
  }
  return { source, download, analyzer, exercises, timings };
}

/** Subtitles when the platform offered them, else a transcription endpoint when configured, else none. */
async function readTranscript(
  item: MediaItem,
  info: VideoInfo,
  dir: string,
  config: Config,
  signal: AbortSignal | undefined,
): Promise<string | null> {
  if (item.subtitlesPath) {
    const cues = parseSubtitles(await fs.readFile(item.subtitlesPath, 'utf8'));
    if (cues.length) return cuesToTranscript(cues);
  }
  const model = config.ai.transcriptionModel;
  if (!model || !info.hasAudio || !(config.ai.baseUrl || config.ai.apiKey)) return null;
  const audio = path.join(dir, 'audio.mp3');
  await extractAudio({ ffmpegPath: config.media.ffmpegPath, timeoutMs: config.media.ffmpegTimeoutMs, signal, input: item.path, output: audio, maxSeconds: info.duration });
  const result = await transcribeAudio(audio, { baseUrl: config.ai.baseUrl, apiKey: config.ai.apiKey, model, timeoutMs: config.ai.timeoutMs });
  if (result.segments.length) return cuesToTranscript(result.segments);
  return result.text.trim() || null;
}
