import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ProcessingError, UnavailableError, ValidationError, errorMessage } from '../errors.js';
import {
  KEY_FRAME_DEFAULTS,
  cutArgs,
  extractAudioArgs,
  keyFrameArgs,
  probeArgs,
  thumbnailArgs,
  type X264Preset,
} from './ffmpeg-args.js';

/**
 * ffmpeg/ffprobe as child processes: spawned without a shell, bounded in time, and every media
 * failure reported as a ProcessingError carrying the end of ffmpeg's stderr.
 */

export interface RunOptions {
  ffmpegPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** After SIGTERM on timeout or abort, wait this long before SIGKILL. Default 2000. */
  killGraceMs?: number;
  /** Called with each complete stderr line, for callers that parse ffmpeg's log. */
  onStderrLine?: (line: string) => void;
}

export interface RunResult {
  stdout: string;
  stderrTail: string;
}

const STDERR_TAIL_CHARS = 4000;
/** ffprobe JSON for even odd files is a few KB; anything far beyond this is not ours to hold. */
const STDOUT_LIMIT_CHARS = 8 * 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 2000;

export function runFfmpeg(args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return runTool('ffmpeg', opts.ffmpegPath, args, opts);
}

function runTool(label: string, binary: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(abortReason(opts.signal));
      return;
    }
    const child = spawn(binary, [...args], { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
    let stdout = '';
    let stdoutOverflow = false;
    let tail = '';
    let partialLine = '';
    let failure: Error | null = null;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (error: Error) => {
      if (failure) return;
      failure = error;
      child.kill('SIGTERM');
      // ffmpeg finishes its output on SIGTERM, which can itself take long; SIGKILL bounds it.
      killTimer = setTimeout(() => child.kill('SIGKILL'), opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
      killTimer.unref();
    };

    const timer = setTimeout(() => {
      stop(
        // Retryable: a timeout is as likely a busy machine as a pathological file, and job
        // attempts are bounded anyway.
        new ProcessingError(`${label} timed out after ${opts.timeoutMs} ms${formatTail(tail)}`, { retryable: true }),
      );
    }, opts.timeoutMs);
    timer.unref();

    const onAbort = () => stop(abortReason(opts.signal!));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve({ stdout, stderrTail: tail });
    };

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length + chunk.length > STDOUT_LIMIT_CHARS) stdoutOverflow = true;
      else stdout += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
      if (opts.onStderrLine) {
        const lines = (partialLine + chunk).split(/\r?\n|\r/);
        partialLine = lines.pop() ?? '';
        for (const line of lines) opts.onStderrLine(line);
      }
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        finish(
          new UnavailableError(`${label} not found or not executable at "${binary}"; install it or set its path`, {
            cause: error,
            retryable: false,
          }),
        );
      } else {
        finish(failure ?? new ProcessingError(`${label} could not run: ${error.message}`, { cause: error }));
      }
    });

    // Exit rather than close: a stray grandchild holding the pipes must not keep us waiting.
    child.on('exit', (code, signal) => {
      // Let buffered output drain before judging; 'close' normally follows within a tick.
      const judge = () => {
        if (partialLine && opts.onStderrLine) opts.onStderrLine(partialLine);
        partialLine = '';
        if (failure) return finish(failure);
        if (code === 0) {
          if (stdoutOverflow) return finish(new ProcessingError(`${label} produced more output than expected`));
          return finish(null);
        }
        const how = signal ? `was killed by ${signal}` : `failed with exit code ${code}`;
        finish(new ProcessingError(`${label} ${how}${formatTail(tail)}`));
      };
      let judged = false;
      const once = () => {
        if (!judged) {
          judged = true;
          judge();
        }
      };
      child.once('close', once);
      setTimeout(once, 200).unref();
    });
  });
}

function formatTail(tail: string): string {
  const text = tail.trim().split('\n').slice(-8).join('\n').slice(-1500);
  return text ? `: ${text}` : '';
}

function abortReason(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

// ---------------------------------------------------------------------------------------------

export interface ProbeOptions {
  ffprobePath: string;
  timeoutMs: number;
  /** Refuse anything longer; the service's MAX_VIDEO_SECONDS. */
  maxVideoSeconds: number;
  signal?: AbortSignal;
}

export interface VideoInfo {
  /** Seconds. */
  duration: number;
  /** Display size: swapped for portrait phone videos stored rotated. */
  width: number;
  height: number;
  hasAudio: boolean;
  hasVideo: boolean;
  /** ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  formatName: string;
  sizeBytes: number;
  videoCodec: string;
  audioCodec: string | null;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string };
}

/** Demuxers that read single pictures; a file they open is a photo, not a video. */
const IMAGE_FORMAT = /(?:^|,)(?:image2|[a-z0-9]+_pipe|tty)(?:,|$)/;

export async function probeVideo(file: string, opts: ProbeOptions): Promise<VideoInfo> {
  let sizeBytes: number;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    sizeBytes = stat.size;
    await fs.access(file, fs.constants.R_OK);
  } catch (error) {
    throw new ProcessingError(`Cannot read the video file: ${errorMessage(error)}`, { cause: error });
  }
  if (sizeBytes === 0) throw new ProcessingError('The downloaded file is empty');

  let result: RunResult;
  try {
    result = await runTool('ffprobe', opts.ffprobePath, probeArgs(file), {
      ffmpegPath: opts.ffprobePath,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
    });
  } catch (error) {
    if (error instanceof ProcessingError && !error.retryable) {
      throw new ProcessingError(`Not a video file (ffprobe could not read it): ${error.message}`, { cause: error });
    }
    throw error;
  }

  let parsed: ProbeOutput;
  try {
    parsed = JSON.parse(result.stdout) as ProbeOutput;
  } catch (error) {
    throw new ProcessingError('ffprobe returned unreadable output', { cause: error });
  }

  const formatName = parsed.format?.format_name ?? '';
  const streams = parsed.streams ?? [];
  // Cover art in audio files is a "video" stream of one picture; it does not make a video.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video) {
    throw new ProcessingError(audio ? 'Not a video: the file has sound but no picture' : 'Not a video file');
  }
  if (IMAGE_FORMAT.test(formatName)) {
    throw new ProcessingError(`Not a video: the file is a still image (${formatName})`);
  }

  const duration = firstPositive(parsed.format?.duration, video.duration, audio?.duration);
  if (duration === null) {
    throw new ProcessingError('Not a video: its duration cannot be determined (still image or broken file)');
  }
  if (duration > opts.maxVideoSeconds) {
    throw new ProcessingError(
      `The video is ${formatDuration(duration)} s long, longer than the limit of ${opts.maxVideoSeconds} s`,
    );
  }
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width <= 0 || height <= 0) throw new ProcessingError('Not a video: the picture has no size');
  const rotated = Math.abs(rotationOf(video)) % 180 === 90;

  return {
    duration,
    width: rotated ? height : width,
    height: rotated ? width : height,
    hasAudio: audio !== undefined,
    hasVideo: true,
    formatName,
    sizeBytes,
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio?.codec_name ?? null,
  };
}

function formatDuration(seconds: number): string {
  return String(Math.round(seconds * 10) / 10);
}

function firstPositive(...values: (string | undefined)[]): number | null {
  for (const v of values) {
    const n = v === undefined ? NaN : Number(v);
    if (Number.isFinite(n) && n > 0) return n;
  }
  return null;
}

function rotationOf(stream: ProbeStream): number {
  for (const side of stream.side_data_list ?? []) {
    if (typeof side.rotation === 'number' && Number.isFinite(side.rotation)) return side.rotation;
  }
  const tag = Number(stream.tags?.rotate);
  return Number.isFinite(tag) ? tag : 0;
}

// ---------------------------------------------------------------------------------------------

export interface FfmpegOptions {
  ffmpegPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  killGraceMs?: number;
}

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
        width: opts.width,
      }),
      { ...opts, onStderrLine },
    );
  } catch (error) {
    await removeByPrefix(outDir, prefix);
    throw error;
  }
  const candidates: KeyFrame[] = parseKeyFrameLog(log).map((s) => ({
    time: s.time,
    path: fileFor(s.frame),
    // The first frame has nothing to differ from; it is a sample, whatever its score.
    sceneChange: s.time > 0 && s.score > threshold,
  }));
  const deduped = dedupeByTime(candidates, opts.minGapSeconds ?? 0.5);
  const kept = spreadEvenly(deduped, opts.max);
  const keep = new Set(kept.map((k) => k.path));
  // Only files named by this call are ever removed.
  const written = (await fs.readdir(outDir)).filter((n) => n.startsWith(prefix));
  await Promise.all(
    written.map((n) => path.join(outDir, n)).filter((p) => !keep.has(p)).map((p) => fs.rm(p, { force: true })),
  );
  const existing: KeyFrame[] = [];
  for (const k of kept) if (written.includes(path.basename(k.path))) existing.push(k);
  if (existing.length === 0) throw new ProcessingError('No frames could be extracted from the video');
  return {
    frames: existing,
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

// ---------------------------------------------------------------------------------------------

/**
 * Runs ffmpeg into a hidden temporary name next to `output` and renames it into place, so a
 * crash, timeout or kill never leaves a half-written file under the final name (which the
 * static file server and the database would treat as a finished clip). Same directory, so the
 * rename is atomic.
 */
async function writeAtomically(
  output: string,
  opts: FfmpegOptions,
  buildArgs: (tmp: string) => string[],
  what: string,
): Promise<void> {
  await writeAllAtomically([{ output, what }], opts, ([tmp]) => buildArgs(tmp!));
}

/**
 * `writeAtomically` for one ffmpeg run with several outputs: each is written under its own
 * temporary name, and the final names appear only when every output was written; on any
 * failure none of them remains (neither temporary nor final).
 */
async function writeAllAtomically(
  outputs: readonly { output: string; what: string }[],
  opts: FfmpegOptions,
  buildArgs: (tmps: string[]) => string[],
): Promise<void> {
  const tmps = outputs.map(({ output }) => {
    const ext = path.extname(output);
    return path.join(path.dirname(output), `.${path.basename(output, ext)}.${randomBytes(6).toString('hex')}.part${ext}`);
  });
  // Built first: invalid arguments throw before anything is created.
  const args = buildArgs(tmps);
  const renamed: string[] = [];
  try {
    for (const dir of new Set(outputs.map(({ output }) => path.dirname(output)))) await fs.mkdir(dir, { recursive: true });
    await runFfmpeg(args, opts);
    for (const [i, { what }] of outputs.entries()) {
      const stat = await fs.stat(tmps[i]!).catch(() => null);
      // ffmpeg exits 0 without writing anything when, for example, the seek is past the end.
      if (!stat || stat.size === 0) throw new ProcessingError(`ffmpeg produced no ${what}`);
    }
    for (const [i, { output }] of outputs.entries()) {
      await fs.rename(tmps[i]!, output);
      renamed.push(output);
    }
  } catch (error) {
    await Promise.all([...tmps, ...renamed].map((file) => fs.rm(file, { force: true })));
    throw error;
  }
}

export interface CutClipOptions extends FfmpegOptions {
  input: string;
  /** Seconds. */
  start: number;
  end: number;
  output: string;
  preset?: X264Preset;
  /**
   * Also write a JPEG of the clip's frame at `at` seconds from the clip's start, in the same
   * ffmpeg run (the video is decoded once). Written atomically with the clip: both files or none.
   */
  thumbnail?: { output: string; at: number; width: number };
}

export async function cutClip(opts: CutClipOptions): Promise<void> {
  const { input, start, end, output, preset, thumbnail } = opts;
  if (!thumbnail) {
    await writeAtomically(output, opts, (tmp) => cutArgs({ input, start, end, output: tmp, preset }), 'clip');
    return;
  }
  if (path.resolve(thumbnail.output) === path.resolve(output)) {
    throw new ValidationError('thumbnail.output', 'must differ from the clip output');
  }
  await writeAllAtomically(
    [
      { output, what: 'clip' },
      { output: thumbnail.output, what: 'thumbnail' },
    ],
    opts,
    ([clipTmp, thumbTmp]) =>
      cutArgs({ input, start, end, output: clipTmp!, preset, thumbnail: { ...thumbnail, output: thumbTmp! } }),
  );
}

export interface ThumbnailOptions extends FfmpegOptions {
  input: string;
  /** Seconds. */
  at: number;
  output: string;
  width: number;
}

export async function makeThumbnail(opts: ThumbnailOptions): Promise<void> {
  const { input, at, output, width } = opts;
  await writeAtomically(output, opts, (tmp) => thumbnailArgs({ input, at, output: tmp, width }), 'thumbnail');
}

export interface ExtractAudioOptions extends FfmpegOptions {
  input: string;
  /** `.mp3` or `.m4a`. */
  output: string;
}

export async function extractAudio(opts: ExtractAudioOptions): Promise<void> {
  const { input, output } = opts;
  await writeAtomically(output, opts, (tmp) => extractAudioArgs({ input, output: tmp }), 'audio');
}
