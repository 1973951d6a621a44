import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ProcessingError } from '../errors.js';
import { tooLarge } from './direct.js';
import { startGuardProxy } from './guard.js';
import { ProcessExitError, ProcessTimeoutError, runProcess } from './process.js';
import type { FetchPolicy } from './resolve.js';
import type { DownloadResult, MediaItem } from './types.js';

/** Social platforms, through yt-dlp. */

export interface YtDlpArgsOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Download every entry of a playlist (Instagram carousels) instead of a single video. */
  playlist?: boolean;
  /** 1-based playlist entry to fetch alone. */
  playlistItem?: number;
  /** Every connection goes through this proxy (the guard proxy of `downloadWithYtDlp`). */
  proxy?: string;
}

export interface YtDlpOptions extends Omit<YtDlpArgsOptions, 'proxy'>, FetchPolicy {
  ytdlpPath?: string;
  signal?: AbortSignal;
}

const versionCache = new Map<string, Promise<string | null>>();

/** The version yt-dlp reports, or null when `bin` cannot be run. Cached per path. */
export function ytDlpVersion(bin: string): Promise<string | null> {
  let cached = versionCache.get(bin);
  if (!cached) {
    cached = runProcess(bin, ['--version'], { label: 'yt-dlp', timeoutMs: 15_000 }).then(
      (run) => run.stdout.trim() || null,
      () => null,
    );
    versionCache.set(bin, cached);
    // Forget failures so installing yt-dlp takes effect without a restart.
    void cached.then((v) => {
      if (v === null) versionCache.delete(bin);
    });
  }
  return cached;
}

export function buildYtDlpArgs(url: string, destDir: string, opts: YtDlpArgsOptions): string[] {
  const socketTimeout = Math.max(5, Math.min(60, Math.ceil(opts.timeoutMs / 1000)));
  const args = [
    '--ignore-config',
    ...(opts.proxy ? ['--proxy', opts.proxy] : []),
    opts.playlist ? '--yes-playlist' : '--no-playlist',
    ...(opts.playlist && opts.playlistItem ? ['--playlist-items', String(opts.playlistItem)] : []),
    '--write-info-json',
    '--write-subs',
    '--write-auto-subs',
    '--sub-langs',
    'en.*,en',
    '--sub-format',
    'vtt/srt/best',
    // Keep files small and in a container every later step reads; 720p is plenty to recognise an exercise.
    '--format-sort',
    'res:720,ext:mp4:m4a',
    '--merge-output-format',
    'mp4',
    '--max-filesize',
    String(opts.maxBytes),
    '--socket-timeout',
    String(socketTimeout),
    '--no-progress',
    '--no-mtime',
    '--restrict-filenames',
    // playlist_index keeps each carousel slide's original position, also with --playlist-items
    // (verified with yt-dlp 2023.03.04). The playlist's own info JSON gets its own name, or it
    // would take "0.info.json"/"1.info.json" and stop entry 1's from being written.
    '-o',
    path.join(destDir, '%(playlist_index|1)s.%(ext)s'),
    '-o',
    `pl_infojson:${path.join(destDir, 'playlist.%(ext)s')}`,
    '--',
    url,
  ];
  return args;
}

/**
 * Downloads with yt-dlp (spawned without a shell). Social platforms change their pages often, so
 * the binary is configurable (YTDLP_PATH) and its failures are sorted into "try again later"
 * and "this will never work".
 */
export async function downloadWithYtDlp(url: string, destDir: string, opts: YtDlpOptions): Promise<DownloadResult> {
  const bin = opts.ytdlpPath ?? 'yt-dlp';
  const version = await ytDlpVersion(bin);
  if (!version) {
    throw new ProcessingError(
      `yt-dlp is needed to download from social platforms but ${opts.ytdlpPath ? `"${bin}" could not be run` : 'it is not on PATH'}; install a current yt-dlp (https://github.com/yt-dlp/yt-dlp#installation) and set YTDLP_PATH to it`,
    );
  }
  await mkdir(destDir, { recursive: true });
  const proxy = await startGuardProxy(opts);
  let output: string;
  try {
    const run = await runProcess(bin, buildYtDlpArgs(url, destDir, { ...opts, proxy: proxy.url }), {
      label: 'yt-dlp',
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      stderrTailChars: 64_000,
      env: withoutProxySettings(process.env),
    });
    output = `${run.stderrTail}\n${run.stdout}`;
  } catch (error) {
    // A refused connection is the real reason, whatever yt-dlp made of the 403 it got.
    if (proxy.refused.length) throw proxy.refused[0]!;
    if (error instanceof ProcessTimeoutError) throw new ProcessingError(`Download timed out after ${opts.timeoutMs} ms`, { retryable: true });
    if (error instanceof ProcessExitError) throw classifyYtDlpFailure(`${error.stderrTail}\n${error.stdout}`, version);
    if (error instanceof Error && error.name === 'AbortError') throw new ProcessingError('Download cancelled', { cause: error, retryable: true });
    throw error;
  } finally {
    await proxy.close();
  }

  const result = await collectYtDlpOutput(destDir);
  if (result.items.length === 0) {
    if (/larger than max-filesize/i.test(output)) throw tooLarge(opts.maxBytes);
    throw new ProcessingError(`Download failed: yt-dlp found no video at this URL${lastError(output) ? ` (${lastError(output)})` : ''}`);
  }
  for (const item of result.items) {
    const { size } = await stat(item.path);
    if (size > opts.maxBytes) {
      await rm(item.path, { force: true });
      throw tooLarge(opts.maxBytes, size);
    }
  }
  return result;
}

function lastError(output: string): string | null {
  const lines = output.split('\n').filter((l) => l.startsWith('ERROR:'));
  const line = lines.at(-1);
  if (!line) return null;
  // yt-dlp appends a long "please report this issue" plea that means nothing to our users.
  return line.replace(/^ERROR:\s*/, '').replace(/;\s*please report this issue.*$/i, '').trim();
}

const PERMANENT_PATTERNS = [
  /Unsupported URL/i,
  /Video unavailable/i,
  /Private video/i,
  /HTTP Error 40[03-4]/i,
  /HTTP Error 410/i,
  /This video (is|has been) (removed|deleted|private)/i,
  /not available in your country|geo.?restrict/i,
  /login required|requires? (authentication|login)|sign in to confirm/i,
  /There's no video in this/i,
  /No video formats found/i,
  /Requested format is not available/i,
];

const RETRYABLE_PATTERNS = [
  /HTTP Error 429/i,
  /Too Many Requests/i,
  /HTTP Error 5\d\d/i,
  /timed out/i,
  /Connection reset/i,
  /Connection refused/i,
  /Temporary failure in name resolution/i,
  /Remote end closed connection/i,
  /IncompleteRead/i,
];

/** Maps yt-dlp's output after a failed run to a ProcessingError that says whether to retry. */
export function classifyYtDlpFailure(output: string, version?: string): ProcessingError {
  const reason = lastError(output) ?? (output.trim().split('\n').at(-1) || 'yt-dlp failed');
  // Check the retryable signs first: "HTTP Error 503" in a permanent-looking sentence is still a blip.
  if (RETRYABLE_PATTERNS.some((p) => p.test(output))) {
    return new ProcessingError(`Download failed: ${reason}`, { retryable: true });
  }
  if (PERMANENT_PATTERNS.some((p) => p.test(output))) {
    return new ProcessingError(`Download failed: ${reason}`, { retryable: false });
  }
  // Extractors break when platforms change their pages; an old yt-dlp is the usual cause.
  const hint = /Unable to extract|Unable to download JSON metadata|KeyError|ExtractorError/i.test(output)
    ? ` (yt-dlp ${version ?? ''} may be too old for this site; install a current yt-dlp and set YTDLP_PATH)`
    : '';
  return new ProcessingError(`Download failed: ${reason}${hint}`, { retryable: false });
}

/**
 * The child's environment without proxy settings: yt-dlp and the ffmpeg it starts must use the
 * guard proxy for every host, and a NO_PROXY entry would let some go around it.
 */
export function withoutProxySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(https?|ftp|all|no)_proxy$/i.test(name)));
}

type Info = Record<string, unknown>;

const SUBTITLE_EXTS = ['vtt', 'srt', 'ass', 'ssa', 'ttml', 'srv3', 'json3'];
const NOT_MEDIA = new Set(['json', 'part', 'ytdl', 'temp', 'tmp', 'jpg', 'jpeg', 'png', 'webp', 'description', ...SUBTITLE_EXTS]);

/**
 * Reads what yt-dlp left in `destDir` (files named by our output template: `<index>.<ext>`,
 * `<index>.info.json`, `<index>.<lang>.vtt`, `playlist.info.json`) into a DownloadResult.
 */
export async function collectYtDlpOutput(destDir: string): Promise<DownloadResult> {
  const names = await readdir(destDir);
  const media = new Map<number, string>();
  const subtitles = new Map<number, string[]>();
  const infos = new Map<number, Info>();
  let playlistInfo: Info | null = null;

  for (const name of names) {
    if (name === 'playlist.info.json') {
      playlistInfo = await readJson(path.join(destDir, name));
      continue;
    }
    const match = /^(\d+)\.(.+)$/.exec(name);
    if (!match) continue;
    const index = Number(match[1]);
    const rest = match[2]!;
    const ext = rest.split('.').at(-1)!.toLowerCase();
    if (rest === 'info.json') {
      const info = await readJson(path.join(destDir, name));
      if (info) infos.set(index, info);
    } else if (SUBTITLE_EXTS.includes(ext) && rest.includes('.')) {
      subtitles.set(index, [...(subtitles.get(index) ?? []), name]);
    } else if (!rest.includes('.') && !NOT_MEDIA.has(ext)) {
      media.set(index, path.join(destDir, name));
    }
  }

  const items: MediaItem[] = [...media.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, file]) => {
      const subs = pickSubtitles(subtitles.get(index) ?? []);
      // Our template names files by playlist_index; trust the info JSON over the name if they disagree.
      const fromInfo = asNumber(infos.get(index)?.playlist_index);
      const carouselIndex = fromInfo && fromInfo > 0 ? fromInfo : index;
      return subs ? { path: file, carouselIndex, subtitlesPath: path.join(destDir, subs) } : { path: file, carouselIndex };
    });

  const entryInfos = items.map((item) => infos.get(Number(path.basename(item.path).split('.')[0]))).filter((i): i is Info => !!i);
  return { items, ...summarizeInfo(entryInfos, playlistInfo) };
}

/**
 * Merges per-entry and playlist metadata. A carousel's caption lives on the post; entries usually
 * repeat it, but the playlist JSON is the fallback when they do not.
 */
export function summarizeInfo(entries: Info[], playlist: Info | null): Omit<DownloadResult, 'items'> {
  const first = entries[0];
  const pick = (key: string): string | null => {
    for (const info of [first, playlist]) {
      const value = info?.[key];
      if (typeof value === 'string' && value.trim()) return value.trim();
    }
    return null;
  };
  const tags = new Set<string>();
  for (const info of [...entries, playlist]) {
    const list = info?.tags;
    if (Array.isArray(list)) for (const t of list) if (typeof t === 'string' && t.trim()) tags.add(t.trim());
  }
  const durationHint = entries.length === 1 ? asNumber(first?.duration) : null;
  return {
    caption: pick('description'),
    title: pick('title') ?? pick('fulltitle'),
    tags: [...tags],
    uploader: pick('uploader') ?? pick('channel') ?? pick('uploader_id'),
    durationHint: durationHint !== null && durationHint > 0 ? durationHint : null,
  };
}

function pickSubtitles(files: string[]): string | undefined {
  const rank = (name: string) => {
    const parts = name.split('.');
    const lang = parts.slice(1, -1).join('.');
    const ext = parts.at(-1)!;
    return (lang === 'en' ? 0 : lang.startsWith('en') ? 1 : 2) * 10 + SUBTITLE_EXTS.indexOf(ext);
  };
  return [...files].sort((a, b) => rank(a) - rank(b))[0];
}

function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

async function readJson(file: string): Promise<Info | null> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Info) : null;
  } catch {
    return null;
  }
}
