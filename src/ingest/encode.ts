import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ProcessingError, ValidationError } from '../errors.js';
import { cutArgs, extractAudioArgs, thumbnailArgs, type X264Preset } from './ffmpeg-args.js';
import { runProcess, type RunResult } from './process.js';

/**
 * Writing media with ffmpeg: clips, thumbnails and audio, each file appearing under its final
 * name only once it is complete.
 */

export interface FfmpegOptions {
  ffmpegPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** After SIGTERM on timeout or abort, wait this long before SIGKILL. Default 2000. */
  killGraceMs?: number;
}

export function runFfmpeg(
  args: readonly string[],
  opts: FfmpegOptions & { onStderrLine?: (line: string) => void },
): Promise<RunResult> {
  const { ffmpegPath, ...rest } = opts;
  return runProcess(ffmpegPath, args, { ...rest, label: 'ffmpeg' });
}

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
  /** Decode at most this much of the input: its probed duration, not what the file may hold. */
  maxSeconds: number;
}

export async function extractAudio(opts: ExtractAudioOptions): Promise<void> {
  const { input, output, maxSeconds } = opts;
  await writeAtomically(output, opts, (tmp) => extractAudioArgs({ input, output: tmp, maxSeconds }), 'audio');
}
