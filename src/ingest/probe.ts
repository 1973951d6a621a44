import fs from 'node:fs/promises';
import { ProcessingError, ValidationError, errorMessage } from '../errors.js';
import { probeArgs } from './ffmpeg-args.js';
import { ProcessExitError, runProcess, type RunResult } from './process.js';

/** What a downloaded file is, from ffprobe: refused unless it is a video we can cut. */

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

/** What ffmpeg logs when the probed format is not in `ALLOWED_DEMUXERS` (ffmpeg-args.ts). */
const NOT_ALLOWED = 'Format not on whitelist';

const HEAD_BYTES = 64;

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const REFERENCE_FORMATS: [RegExp, string][] = [
  [/^#EXTM3U/, 'an HLS playlist'],
  [/^ffconcat/, 'an ffconcat file list'],
  [/^\[playlist\]/i, 'a playlist'],
  [/^(<\?xml[^>]*>\s*)?<(MPD|smil|ASX)\b/i, 'a streaming manifest'],
  [/^(<\?xml[^>]*>\s*)?<playlist\b/i, 'a playlist'],
];

const IMAGE_SIGNATURES: string[] = ['\x89PNG', '\xff\xd8\xff', 'GIF8', 'II*\0', 'MM\0*'];

/**
 * The user-facing reason a file in a refused format was not processed, from its first bytes.
 * Playlists and lists name other files that ffmpeg would open, so they are never read.
 */
export function refusedFormatMessage(head: Buffer): string {
  const text = head.toString('latin1').replace(/^\xef\xbb\xbf/, ''); // a UTF-8 byte order mark
  for (const [pattern, what] of REFERENCE_FORMATS) {
    if (pattern.test(text)) return `The download is ${what}, not a video; playlists and file lists are refused`;
  }
  const isWebp = text.startsWith('RIFF') && text.slice(8, 12) === 'WEBP';
  if (isWebp || IMAGE_SIGNATURES.some((sig) => text.startsWith(sig))) return 'Not a video: the file is a still image';
  return 'Not a video: the file is not in a supported container (MP4/MOV, WebM/MKV, AVI, FLV, MPEG-TS/PS, Ogg, ASF)';
}

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
  // What the URL gave is the submitter's input: an empty or unreadable file is a 422 on `url`.
  if (sizeBytes === 0) throw new ValidationError('url', 'the downloaded file is empty');

  let result: RunResult;
  try {
    result = await runProcess(opts.ffprobePath, probeArgs(file), { label: 'ffprobe', timeoutMs: opts.timeoutMs, signal: opts.signal });
  } catch (error) {
    if (error instanceof ProcessExitError && error.stderrTail.includes(NOT_ALLOWED)) {
      throw new ProcessingError(refusedFormatMessage(await readHead(file)), { cause: error });
    }
    if (error instanceof ProcessingError && !error.retryable) {
      // ffprobe's own words (paths, offsets) stay in the log, with the cause.
      throw new ValidationError('url', 'not a video file (ffprobe could not read it)', { cause: error });
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