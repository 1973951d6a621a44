import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Test videos made with ffmpeg at test time from lavfi sources, so no media is committed.
 * Each scene is a solid colour (a hard cut between colours scores close to 1 in ffmpeg's scene
 * detection), with the running time drawn on top when a font is available so frames within a
 * scene are not identical.
 */

const run = promisify(execFile);

export const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

const COLOURS = ['red', 'blue', 'green', 'yellow', 'magenta', 'cyan', 'white', 'orange', 'purple', 'black'];

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
];

let fontCache: string | null | undefined;

/** A TrueType font for drawtext, or null (labels are then skipped). */
export function findFont(): string | null {
  if (fontCache === undefined) fontCache = FONT_CANDIDATES.find((f) => existsSync(f)) ?? null;
  return fontCache;
}

export interface TestVideoOptions {
  /** Seconds. */
  duration: number;
  width?: number;
  height?: number;
  /** Times (seconds, ascending, inside the duration) of hard scene changes. */
  scenes?: number[];
  audio?: boolean;
  fps?: number;
  /** Draw the running time on the picture (needs a font). Default true. */
  label?: boolean;
}

export async function makeTestVideo(file: string, opts: TestVideoOptions): Promise<string> {
  const { duration } = opts;
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const fps = opts.fps ?? 25;
  const cuts = (opts.scenes ?? []).filter((t) => t > 0 && t < duration);
  const bounds = [0, ...cuts, duration];

  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'];
  const segments = bounds.length - 1;
  for (let i = 0; i < segments; i++) {
    const d = (bounds[i + 1]! - bounds[i]!).toFixed(3);
    args.push('-f', 'lavfi', '-i', `color=c=${COLOURS[i % COLOURS.length]}:s=${width}x${height}:r=${fps}:d=${d}`);
  }
  if (opts.audio ?? true) {
    args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${duration}`);
  }

  const inputs = Array.from({ length: segments }, (_, i) => `[${i}:v]`).join('');
  let graph = `${inputs}concat=n=${segments}:v=1:a=0`;
  const font = findFont();
  if (font && (opts.label ?? true)) {
    graph += `,drawtext=fontfile=${font}:text='%{pts\\:hms}':x=10:y=10:fontsize=${Math.max(12, Math.round(height / 10))}:fontcolor=white:box=1:boxcolor=black`;
  }
  graph += '[v]';
  args.push('-filter_complex', graph, '-map', '[v]');
  if (opts.audio ?? true) args.push('-map', `${segments}:a`, '-c:a', 'aac', '-b:a', '64k');
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-t', String(duration), file);

  await fs.mkdir(path.dirname(file), { recursive: true });
  await run(FFMPEG, args);
  return file;
}

/** Something that is not a video but might be mistaken for one: a PNG, or text, named `.mp4`. */
export async function makeNonVideoFile(file: string, kind: 'png' | 'text' = 'text'): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  if (kind === 'text') {
    await fs.writeFile(file, 'This is a text file, not a video.\n');
    return file;
  }
  await run(FFMPEG, [
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=64x48',
    '-frames:v',
    '1',
    '-c:v',
    'png',
    '-f',
    'image2',
    '-update',
    '1',
    file,
  ]);
  return file;
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  duration?: string;
}

/** ffprobe's own view of a file, independent of the code under test. */
export async function ffprobeJson(file: string): Promise<{ format: { duration: string }; streams: ProbedStream[] }> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  return JSON.parse(stdout) as { format: { duration: string }; streams: ProbedStream[] };
}

export async function makeTempDir(prefix = 'fb-media-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}
