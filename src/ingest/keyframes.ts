import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ProcessingError, ValidationError } from '../errors.js';
import { runFfmpeg, type FfmpegOptions } from './encode.js';
import { KEY_FRAME_DEFAULTS, keyFrameArgs } from './ffmpeg-args.js';

/** Key frames: scene changes and regular samples in one ffmpeg pass, thinned to a budget. */

export interface KeyFrame {
  /** Seconds. */
  time: number;
  path: string;
  /** Whether the frame was taken for a scene change rather than as a regular sample. */
  sceneChange: boolean;
}

export interface KeyFrameOptions extends FfmpegOptions {
  /** At most this many frames are kept (config MAX_KEY_FRAMES). */
  max: number;
  sceneThreshold?: number;
  sampleEverySeconds?: number;
  width?: number;
  /** Frames closer than this are one frame (a scene change wins over a sample). Default 0.5 s. */
  minGapSeconds?: number;
  /** Decode at most this much of the video: its probed duration, not what the file may hold. */
  maxSeconds: number;
}

export interface KeyFrameResult {
  /** Capped at `max`, sorted by time. */
  frames: KeyFrame[];
  /** Every scene change found, not capped, ascending: cheap boundaries hints for analysis. */
  sceneChanges: number[];
}

export async function extractKeyFrames(file: string, outDir: string, opts: KeyFrameOptions): Promise<KeyFrame[]> {
  return (await extractKeyFramesDetailed(file, outDir, opts)).frames;
}

export async function extractKeyFramesDetailed(
  file: string,
  outDir: string,
  opts: KeyFrameOptions,
): Promise<KeyFrameResult> {
  if (!Number.isInteger(opts.max) || opts.max < 1) throw new ValidationError('max', 'must be an integer >= 1');
  const threshold = opts.sceneThreshold ?? KEY_FRAME_DEFAULTS.sceneThreshold;
  // A per-call prefix so two extractions into one folder cannot overwrite each other's frames.
  const prefix = `${KEY_FRAME_DEFAULTS.prefix}${randomBytes(4).toString('hex')}-`;
  await fs.mkdir(outDir, { recursive: true });

  const log: string[] = [];
  const onStderrLine = (line: string) => {
    if (line.includes('pts_time:') || line.includes('lavfi.scene_score=')) log.push(line);
  };

  const fileFor = (frame: number) => path.join(outDir, `${prefix}${String(frame + 1).padStart(5, '0')}.jpg`);
  try {
    await runFfmpeg(
      keyFrameArgs({
        input: file,
        outDir,
        prefix,
        sceneThreshold: threshold,
        sampleEverySeconds: opts.sampleEverySeconds,
        minGapSeconds: opts.minGapSeconds,
        width: opts.width,
        maxSeconds: opts.maxSeconds,
      }),
      { ...opts, onStderrLine },
    );
  } catch (error) {
    await removeByPrefix(outDir, prefix);
    throw error;
  }
  // Only files named by this call are ever removed.
  const written = new Set((await fs.readdir(outDir)).filter((n) => n.startsWith(prefix)));
  // Only frames with an image: at the image cap ffmpeg still logs the frame it did not write.
  const candidates: KeyFrame[] = parseKeyFrameLog(log)
    .map((s) => ({
      time: s.time,
      path: fileFor(s.frame),
      // The first frame has nothing to differ from; it is a sample, whatever its score.
      sceneChange: s.time > 0 && s.score > threshold,
    }))
    .filter((c) => written.has(path.basename(c.path)));
  const deduped = dedupeByTime(candidates, opts.minGapSeconds ?? KEY_FRAME_DEFAULTS.minGapSeconds);
  const kept = spreadEvenly(deduped, opts.max);
  const keep = new Set(kept.map((k) => k.path));
  await Promise.all(
    [...written].map((n) => path.join(outDir, n)).filter((p) => !keep.has(p)).map((p) => fs.rm(p, { force: true })),
  );
  if (kept.length === 0) throw new ProcessingError('No frames could be extracted from the video');
  return {
    frames: kept,
    sceneChanges: candidates.filter((c) => c.sceneChange).map((c) => c.time),
  };
}

/**
 * Reads the `metadata=print` log: a `frame:N pts:P pts_time:T` line per selected frame, followed
 * by its `lavfi.scene_score=S` line. N counts selected frames from 0, so frame N is image N+1.
 */
export function parseKeyFrameLog(lines: readonly string[]): { frame: number; time: number; score: number }[] {
  const out: { frame: number; time: number; score: number }[] = [];
  let current: { frame: number; time: number; score: number } | null = null;
  for (const line of lines) {
    const head = /\bframe:(\d+)\s+pts:\S+\s+pts_time:(-?[\d.]+(?:e[-+]?\d+)?)/.exec(line);
    if (head) {
      current = { frame: Number(head[1]), time: Math.max(0, Number(head[2])), score: 0 };
      if (Number.isFinite(current.time)) out.push(current);
      continue;
    }
    const score = /lavfi\.scene_score=([\d.]+)/.exec(line);
    if (score && current) current.score = Number(score[1]) || 0;
  }
  return out;
}

/** Sorted by time; within `gap` of the previous kept frame the scene change is preferred. */
export function dedupeByTime<F extends { time: number; sceneChange: boolean }>(frames: readonly F[], gap: number): F[] {
  const sorted = [...frames].sort((a, b) => a.time - b.time);
  const out: F[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && f.time - last.time < gap) {
      if (f.sceneChange && !last.sceneChange) out[out.length - 1] = f;
      continue;
    }
    out.push(f);
  }
  return out;
}

/**
 * At most `max` frames spread evenly over time (not over the list, so a burst of quick cuts
 * does not crowd out the rest of the video): for evenly spaced target times the nearest unused
 * frame is taken. Input must be sorted; output is sorted.
 */
export function spreadEvenly<F extends { time: number }>(frames: readonly F[], max: number): F[] {
  if (frames.length <= max) return [...frames];
  if (max <= 0) return [];
  const first = frames[0]!.time;
  const last = frames[frames.length - 1]!.time;
  const used = new Set<number>();
  for (let i = 0; i < max; i++) {
    const target = max === 1 ? (first + last) / 2 : first + ((last - first) * i) / (max - 1);
    let best = -1;
    for (let j = 0; j < frames.length; j++) {
      if (used.has(j)) continue;
      if (best < 0 || Math.abs(frames[j]!.time - target) < Math.abs(frames[best]!.time - target)) best = j;
    }
    used.add(best);
  }
  return [...used].sort((a, b) => a - b).map((j) => frames[j]!);
}

async function removeByPrefix(dir: string, prefix: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => fs.rm(path.join(dir, n), { force: true })));
}