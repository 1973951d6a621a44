import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, open } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProcessingError } from '../errors.js';
import { assertFetchable, type HostLookup } from './resolve.js';
import type { Platform } from '../urls/normalize.js';
import type { DownloadResult, MediaItem } from './types.js';

export type { Platform };

export interface DownloadSource {
  url: string;
  platform: Platform;
  /** 1-based slide to fetch from an Instagram post (from `img_index`); 1 means "the post". */
  carouselIndex: number;
}

export interface DownloadOptions {
  ytdlpPath?: string;
  maxBytes: number;
  timeoutMs: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
  /** DNS override for tests. */
  lookup?: HostLookup;
}

const MAX_REDIRECTS = 5;
const USER_AGENT = 'FitnessBuilder/0.1 (+https://github.com/)';

export async function downloadMedia(
  source: DownloadSource,
  destDir: string,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  await mkdir(destDir, { recursive: true });
  if (source.platform === 'web') return downloadDirect(source.url, destDir, opts);

  // Carousels only exist on Instagram posts; elsewhere a playlist would mean downloading a whole
  // channel or mix instead of the one video the user linked.
  const isPost = source.platform === 'instagram' && !/\/(reels?|tv)\//i.test(new URL(source.url).pathname);
  return downloadWithYtDlp(source.url, destDir, {
    ...opts,
    playlist: isPost,
    playlistItem: isPost && source.carouselIndex > 1 ? source.carouselIndex : undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// Direct links

/**
 * GET of a direct video link. Redirects are followed by hand so every hop passes the private
 * address check; a single fetch with `redirect: 'follow'` would let a public URL bounce us into
 * the local network.
 */
export async function downloadDirect(url: string, destDir: string, opts: DownloadOptions): Promise<DownloadResult> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const describeAbort = (error: unknown): never => {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new ProcessingError('Download cancelled', { cause: error, retryable: true });
    if (timeout.aborted) throw new ProcessingError(`Download timed out after ${opts.timeoutMs} ms`, { cause: error, retryable: true });
    throw error;
  };

  let current = url;
  let response: Response | undefined;
  for (let hop = 0; ; hop++) {
    await assertFetchable(current, { allowPrivate: opts.allowPrivate, lookup: opts.lookup });
    try {
      response = await fetch(current, { redirect: 'manual', signal, headers: { 'user-agent': USER_AGENT, accept: 'video/*,*/*;q=0.5' } });
    } catch (error) {
      if (signal.aborted) describeAbort(error);
      throw new ProcessingError(`Download failed: ${networkReason(error)}`, { cause: error, retryable: true });
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new ProcessingError(`Download failed: more than ${MAX_REDIRECTS} redirects`);
      current = new URL(response.headers.get('location')!, current).toString();
      continue;
    }
    break;
  }

  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    const retryable = status === 408 || status === 429 || status >= 500;
    const why = status === 404 || status === 410 ? 'video not found' : `server answered HTTP ${status}`;
    throw new ProcessingError(`Download failed: ${why} (HTTP ${status})`, { retryable });
  }

  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const isOctet = contentType === 'application/octet-stream' || contentType === 'binary/octet-stream';
  if (!contentType.startsWith('video/') && !isOctet) {
    await response.body?.cancel().catch(() => undefined);
    throw new ProcessingError(`Download failed: not a video (content-type ${contentType || 'missing'})`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(opts.maxBytes, declared);
  }
  if (!response.body) throw new ProcessingError('Download failed: empty response');

  const file = path.join(destDir, `1.${extensionFor(contentType, current)}`);
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > opts.maxBytes) callback(tooLarge(opts.maxBytes));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(response.body, counter, createWriteStream(file), { signal });
  } catch (error) {
    await rm(file, { force: true });
    if (error instanceof ProcessingError) throw error;
    if (signal.aborted) describeAbort(error);
    throw new ProcessingError(`Download failed: ${networkReason(error)}`, { cause: error, retryable: true });
  }
  if (received === 0) {
    await rm(file, { force: true });
    throw new ProcessingError('Download failed: empty file');
  }
  // application/octet-stream says nothing; refuse HTML error pages or archives before ffmpeg chokes on them.
  if (isOctet && !(await looksLikeVideo(file))) {
    await rm(file, { force: true });
    throw new ProcessingError('Download failed: not a video (unrecognised file format)');
  }

  return {
    items: [{ path: file, carouselIndex: 1 }],
    caption: null,
    title: titleFromUrl(current),
    tags: [],
    uploader: null,
    durationHint: null,
  };
}

function tooLarge(maxBytes: number, actual?: number): ProcessingError {
  const size = actual === undefined ? 'more than' : `${actual} bytes, over`;
  return new ProcessingError(`Download failed: video too large (${size} the limit of ${maxBytes} bytes)`);
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

const EXT_BY_TYPE: Record<string, string> = {
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'video/x-matroska': 'mkv',
  'video/x-msvideo': 'avi',
  'video/mp2t': 'ts',
  'video/mpeg': 'mpg',
  'video/3gpp': '3gp',
  'video/x-flv': 'flv',
  'video/ogg': 'ogv',
  'video/x-m4v': 'm4v',
};

function extensionFor(contentType: string, url: string): string {
  const known = EXT_BY_TYPE[contentType];
  if (known) return known;
  const fromUrl = /\.([a-z0-9]{2,4})$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return fromUrl && Object.values(EXT_BY_TYPE).includes(fromUrl) ? fromUrl : 'mp4';
}

export function titleFromUrl(url: string): string | null {
  const segments = new URL(url).pathname.split('/').filter(Boolean);
  const last = segments.at(-1);
  if (!last) return null;
  let name: string;
  try {
    name = decodeURIComponent(last);
  } catch {
    name = last;
  }
  name = name.replace(/\.[a-z0-9]{2,4}$/i, '').trim();
  return name || null;
}

/** Container signatures ffmpeg can read: MP4/MOV/3GP, Matroska/WebM, AVI, FLV, MPEG-TS/PS, Ogg, ASF. */
async function looksLikeVideo(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    const b = head.subarray(0, bytesRead);
    const ascii = (start: number, end: number) => b.subarray(start, end).toString('latin1');
    if (['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip'].includes(ascii(4, 8))) return true;
    if (b.readUInt32BE(0) === 0x1a45dfa3) return true;
    if (ascii(0, 4) === 'RIFF' && ascii(8, 11) === 'AVI') return true;
    if (ascii(0, 3) === 'FLV' || ascii(0, 4) === 'OggS') return true;
    if (b[0] === 0x47) return true;
    if (b.readUInt32BE(0) === 0x000001ba || b.readUInt32BE(0) === 0x000001b3) return true;
    if (b.readUInt32BE(0) === 0x3026b275) return true;
    return false;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// yt-dlp

export interface YtDlpOptions {
  ytdlpPath?: string;
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Download every entry of a playlist (Instagram carousels) instead of a single video. */
  playlist?: boolean;
  /** 1-based playlist entry to fetch alone. */
  playlistItem?: number;
}

const versionCache = new Map<string, Promise<string | null>>();

/** The version yt-dlp reports, or null when `bin` cannot be run. Cached per path. */
export function ytDlpVersion(bin: string): Promise<string | null> {
  let cached = versionCache.get(bin);
  if (!cached) {
    cached = new Promise((resolve) => {
      let out = '';
      let child;
      try {
        child = spawn(bin, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 15_000 });
      } catch {
        resolve(null);
        return;
      }
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', () => resolve(null));
      child.on('close', (code) => resolve(code === 0 && out.trim() ? out.trim() : null));
    });
    versionCache.set(bin, cached);
    // Forget failures so installing yt-dlp takes effect without a restart.
    void cached.then((v) => {
      if (v === null) versionCache.delete(bin);
    });
  }
  return cached;
}

export function buildYtDlpArgs(url: string, destDir: string, opts: YtDlpOptions): string[] {
  const socketTimeout = Math.max(5, Math.min(60, Math.ceil(opts.timeoutMs / 1000)));
  const args = [
    '--ignore-config',
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
  const run = await runProcess(bin, buildYtDlpArgs(url, destDir, opts), opts.timeoutMs, opts.signal);
  const output = `${run.stderr}\n${run.stdout}`;
  if (run.timedOut) throw new ProcessingError(`Download timed out after ${opts.timeoutMs} ms`, { retryable: true });
  if (run.aborted) {
    throw opts.signal?.reason instanceof Error ? opts.signal.reason : new ProcessingError('Download cancelled', { retryable: true });
  }
  if (run.code !== 0) throw classifyYtDlpFailure(output, version);

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

interface SpawnResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

function runProcess(bin: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      resolve({ code: null, stdout: '', stderr: '', timedOut: false, aborted: true });
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    const keep = (text: string, chunk: Buffer) => (text + chunk.toString()).slice(-64_000);
    child.stdout.on('data', (d: Buffer) => (stdout = keep(stdout, d)));
    child.stderr.on('data', (d: Buffer) => (stderr = keep(stderr, d)));
    const kill = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new ProcessingError(`Could not run ${bin}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout, stderr, timedOut, aborted });
    });
  });
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
