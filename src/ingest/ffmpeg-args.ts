import path from 'node:path';
import { ValidationError } from '../errors.js';
import { MAX_KEY_FRAME_CANDIDATES } from '../limits.js';

/**
 * Argument lists for ffmpeg and ffprobe. Always arrays for `spawn` without a shell, so no file
 * name can be interpreted by a shell.
 */

/**
 * ffmpeg reads `name:rest` as a protocol (`concat:`, `http:`, `pipe:`) and a leading `-` as an
 * option. The explicit `file:` protocol makes every path a plain local file whatever it contains.
 */
export function mediaPath(file: string): string {
  return `file:${file}`;
}

/**
 * Demuxers a downloaded file may be opened with: self-contained containers only. Everything else
 * is refused before ffmpeg reads past the probe, above all formats that name other files or URLs
 * for ffmpeg to open (HLS and other playlists, concat lists, image sequences, manifests), which
 * would turn a "video" into a way to read the server's own files. The mov demuxer's external
 * references (`enable_drefs`) are off by default.
 */
export const ALLOWED_DEMUXERS = ['mov', 'matroska', 'avi', 'flv', 'mpegts', 'mpeg', 'ogg', 'asf'] as const;

/**
 * Options for every input: the file itself is the only thing ffmpeg may open (no network, no
 * other protocol), in an allowed format.
 */
export function untrustedInput(file: string): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', ALLOWED_DEMUXERS.join(','), '-i', mediaPath(file)];
}

/**
 * `untrustedInput` read for at most `seconds` of decoded time (an input-side `-t`). A header can
 * claim ten seconds over an hour of frames; ffmpeg then stops where the probed duration ends
 * instead of decoding everything the file holds.
 */
export function boundedInput(file: string, seconds: number): string[] {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new ValidationError('maxSeconds', 'must be a finite number > 0');
  return ['-t', formatSeconds(seconds), ...untrustedInput(file)];
}

/** Seconds with millisecond precision, the resolution the clip plan works in. */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(3);
}

const COMMON = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'] as const;

export type X264Preset =
  | 'ultrafast'
  | 'superfast'
  | 'veryfast'
  | 'faster'
  | 'fast'
  | 'medium'
  | 'slow'
  | 'slower'
  | 'veryslow';

export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...untrustedInput(file)];
}

export interface CutArgsInput {
  input: string;
  start: number;
  end: number;
  output: string;
  /** veryfast by default; tests that do not care about size use ultrafast. */
  preset?: X264Preset;
  crf?: number;
  /** A JPEG of one frame of the clip, written by the same ffmpeg run (one decode instead of two). */
  thumbnail?: CutThumbnail;
}

export interface CutThumbnail {
  output: string;
  /** Seconds from the start of the clip (not of the source); must fall inside the clip. */
  at: number;
  width: number;
}

/**
 * Measured on 12 s 1280x720 clips (ffmpeg 5.1, 2 cores), CPU time and size relative to veryfast:
 * faster +30-60 % CPU, -4 to -7 % size; superfast -10 to -25 % CPU, +35 % size on flat colours and
 * 3x on grainy footage; ultrafast -50 % CPU, 2-2.7x size. veryfast keeps files small for little CPU.
 */
export const DEFAULT_X264_PRESET: X264Preset = 'veryfast';

/**
 * One exercise clip, re-encoded. Stream copy would snap the start to the previous key frame
 * (seconds off, or video starting late); re-encoding with `-ss` before `-i` seeks fast and,
 * since ffmpeg 2.1, decodes from the key frame and discards up to the exact time.
 */
export function cutArgs(input: CutArgsInput): string[] {
  const { start, end } = input;
  if (!Number.isFinite(start) || start < 0) throw new ValidationError('start', 'must be a finite number >= 0');
  if (!Number.isFinite(end) || end <= start) throw new ValidationError('end', 'must be a finite number after start');
  const crf = input.crf ?? 23;
  if (!Number.isInteger(crf) || crf < 0 || crf > 51) throw new ValidationError('crf', 'must be an integer 0-51');
  const thumbnail = input.thumbnail ? cutThumbnailArgs(input.thumbnail, end - start) : [];
  return [
    ...COMMON,
    '-ss',
    formatSeconds(start),
    ...untrustedInput(input.input),
    '-t',
    formatSeconds(end - start),
    // First video and, if there is one, first audio stream: `?` lets silent videos through.
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    '-map_metadata',
    '-1',
    // yuv420p (needed by most players) requires even dimensions; odd-sized sources fail without this.
    '-vf',
    'scale=trunc(iw/2)*2:trunc(ih/2)*2',
    '-c:v',
    'libx264',
    '-preset',
    input.preset ?? DEFAULT_X264_PRESET,
    '-crf',
    String(crf),
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    // Index at the front so browsers can start playing before the whole clip has arrived.
    '-movflags',
    '+faststart',
    // No -avoid_negative_ts make_zero: with re-encoding it shifted the streams by the encoder
    // delay (video starting at 0.08 s), making clips 0.08 s longer than planned.
    mediaPath(input.output),
    ...thumbnail,
  ];
}

/**
 * The second output of `cutArgs`: options after the clip's file name apply to this output only
 * (the clip's `-t`, `-vf` and codecs do not carry over). Times here are clip times: the input-side
 * `-ss` makes the seek point 0. `trim` drops the frames before `at` ahead of the scaler, so only
 * the chosen frame is scaled and encoded; with an output-side `-ss` instead, ffmpeg 5.1 inserts
 * its trim after the user's filters and scales every frame it is fed (measured: +2 s CPU for a
 * 12 s 720p clip). The short `duration` ends the branch after that one frame.
 */
function cutThumbnailArgs(thumbnail: CutThumbnail, clipSeconds: number): string[] {
  const { at } = thumbnail;
  if (!Number.isFinite(at) || at < 0 || at >= clipSeconds) {
    throw new ValidationError('thumbnail.at', 'must be a finite number of seconds inside the clip');
  }
  const width = evenWidth(thumbnail.width);
  return [
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-vf',
    `trim=start=${formatSeconds(at)}:duration=0.001,scale=${width}:-2`,
    '-q:v',
    '3',
    '-update',
    '1',
    mediaPath(thumbnail.output),
  ];
}

export interface ThumbnailArgsInput {
  input: string;
  /** Seconds. */
  at: number;
  output: string;
  width: number;
}

export function thumbnailArgs(input: ThumbnailArgsInput): string[] {
  if (!Number.isFinite(input.at) || input.at < 0) throw new ValidationError('at', 'must be a finite number >= 0');
  const width = evenWidth(input.width);
  return [
    ...COMMON,
    '-ss',
    formatSeconds(input.at),
    ...untrustedInput(input.input),
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    // -2: keep the aspect ratio with an even height, which JPEG encoders and CSS both like.
    '-vf',
    `scale=${width}:-2`,
    '-q:v',
    '3',
    // One plain file rather than an image sequence pattern.
    '-update',
    '1',
    mediaPath(input.output),
  ];
}

export interface KeyFrameArgsInput {
  input: string;
  /** Directory the JPEGs are written to. */
  outDir: string;
  /** File name prefix; frames are `<prefix>00001.jpg`, numbered from 1 in time order. */
  prefix?: string;
  /** 0-1 scene score above which a frame counts as a scene change. */
  sceneThreshold?: number;
  /** A frame is also taken when this many seconds passed since the last one taken. */
  sampleEverySeconds?: number;
  /** A scene change closer than this to the last frame taken is not taken. */
  minGapSeconds?: number;
  width?: number;
  /** Decode at most this much of the input (the probed duration). */
  maxSeconds: number;
}

export const KEY_FRAME_DEFAULTS = {
  prefix: 'keyframe-',
  /**
   * On the decoded picture (limited-range video for almost all sources). 0.26 finds the same cuts
   * as 0.3 did when scores were taken after a scale that also converted to full-range JPEG levels,
   * which stretched every difference by 255/219 (luma) and 255/224 (chroma), about 1.15.
   */
  sceneThreshold: 0.26,
  sampleEverySeconds: 5,
  minGapSeconds: 0.5,
  width: 512,
} as const;

/** The image-sequence pattern `keyFrameArgs` writes, for mapping frame numbers back to files. */
export function keyFramePattern(outDir: string, prefix: string = KEY_FRAME_DEFAULTS.prefix): string {
  return path.join(outDir, `${prefix}%05d.jpg`);
}

/**
 * Scene changes plus regular samples in one decoding pass. The first frame is always taken
 * (`isnan(prev_selected_t)`), then any frame whose scene score passes the threshold, then one
 * whenever `sampleEverySeconds` passed since the last frame taken, so static stretches are still
 * represented. `metadata=print` logs each selected frame's `pts_time` and `lavfi.scene_score` to
 * stderr (hence log level info), which is how the caller learns the frames' times.
 *
 * `select` runs before `scale`, so only the few selected frames are scaled: scaling every frame
 * first cost twice as much as decoding (60 s 720p: 3.0 s CPU with scale first, 1.0 s with select
 * first, decoding alone 0.9 s), while the scene score, a mean absolute difference, hardly depends
 * on the resolution. The score does depend on the levels: scaled first, frames were also
 * converted to full range for the JPEG encoder (see `sceneThreshold`).
 */
export function keyFrameArgs(input: KeyFrameArgsInput): string[] {
  const threshold = input.sceneThreshold ?? KEY_FRAME_DEFAULTS.sceneThreshold;
  const every = input.sampleEverySeconds ?? KEY_FRAME_DEFAULTS.sampleEverySeconds;
  const gap = input.minGapSeconds ?? KEY_FRAME_DEFAULTS.minGapSeconds;
  const width = evenWidth(input.width ?? KEY_FRAME_DEFAULTS.width);
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold >= 1) {
    throw new ValidationError('sceneThreshold', 'must be between 0 and 1');
  }
  if (!Number.isFinite(every) || every <= 0) throw new ValidationError('sampleEverySeconds', 'must be > 0');
  if (!Number.isFinite(gap) || gap < 0) throw new ValidationError('minGapSeconds', 'must be >= 0');
  // A flickering video passes the scene threshold on every frame: the gap keeps that to a few
  // images a second, and `-frames:v` stops writing at MAX_KEY_FRAME_CANDIDATES whatever happens.
  const scene = gap > 0 ? `gt(scene\\,${threshold})*gte(t-prev_selected_t\\,${gap})` : `gt(scene\\,${threshold})`;
  const select = `select='${scene}+isnan(prev_selected_t)+gte(t-prev_selected_t\\,${every})'`;
  return [
    '-nostdin',
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'info',
    '-y',
    ...boundedInput(input.input, input.maxSeconds),
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-vf',
    `${select},scale=${width}:-2,metadata=print`,
    // One output image per selected frame: no duplicates or drops to fill a frame rate.
    '-fps_mode',
    'passthrough',
    '-q:v',
    '4',
    '-frames:v',
    String(MAX_KEY_FRAME_CANDIDATES),
    mediaPath(keyFramePattern(input.outDir, input.prefix)),
  ];
}

export interface ExtractAudioArgsInput {
  input: string;
  /** `.mp3` or `.m4a`; the codec follows the extension. */
  output: string;
  /** Decode at most this much of the input (the probed duration). */
  maxSeconds: number;
}

/**
 * Mono 16 kHz speech audio for a transcription API: what speech models resample to anyway, and
 * small (about 15 MB an hour as mp3), well under typical 25 MB upload limits for long videos.
 */
export function extractAudioArgs(input: ExtractAudioArgsInput): string[] {
  const ext = path.extname(input.output).toLowerCase();
  const codec =
    ext === '.mp3' ? ['-c:a', 'libmp3lame', '-b:a', '32k'] : ext === '.m4a' ? ['-c:a', 'aac', '-b:a', '48k'] : null;
  if (!codec) throw new ValidationError('output', 'audio output must end in .mp3 or .m4a');
  return [
    ...COMMON,
    ...boundedInput(input.input, input.maxSeconds),
    '-map',
    '0:a:0',
    '-vn',
    '-ac',
    '1',
    '-ar',
    '16000',
    ...codec,
    mediaPath(input.output),
  ];
}

function evenWidth(width: number): number {
  if (!Number.isInteger(width) || width < 2 || width > 8192) {
    throw new ValidationError('width', 'must be an integer between 2 and 8192');
  }
  return width - (width % 2);
}
