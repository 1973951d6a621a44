import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fetch, type Dispatcher, type Response } from 'undici';
import { PrivateAddressError, ProcessingError, ValidationError } from '../errors.js';
import { guardedAgent } from './guard.js';
import { assertFetchable, type FetchPolicy } from './resolve.js';
import type { DownloadResult } from './types.js';

/** Direct video links, fetched by the service itself. */

export interface DirectOptions extends FetchPolicy {
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;
const USER_AGENT = 'FitnessBuilder/0.1 (+https://github.com/)';

/**
 * GET of a direct video link. Redirects are followed by hand so every hop passes the private
 * address check; a single fetch with `redirect: 'follow'` would let a public URL bounce us into
 * the local network. The check answers early with a clear message; what actually keeps us out
 * is the dispatcher, which resolves each connection once and refuses private answers (a name
 * that answers differently the second time, DNS rebinding, gains nothing).
 */
export async function downloadDirect(url: string, destDir: string, opts: DirectOptions): Promise<DownloadResult> {
  const agent = guardedAgent({ allowPrivate: opts.allowPrivate, lookup: opts.lookup, isPrivate: opts.isPrivate });
  try {
    return await fetchToFile(url, destDir, opts, agent);
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

async function fetchToFile(url: string, destDir: string, opts: DirectOptions, agent: Dispatcher): Promise<DownloadResult> {
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
    await assertFetchable(current, { ...opts, via: hop === 0 ? 'url' : 'redirect' });
    try {
      response = await fetch(current, {
        redirect: 'manual',
        signal,
        dispatcher: agent,
        headers: { 'user-agent': USER_AGENT, accept: 'video/*,*/*;q=0.5' },
      });
    } catch (error) {
      if (signal.aborted) describeAbort(error);
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof PrivateAddressError) throw cause;
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
    // Any other 4xx is the origin refusing this URL: the submitter's to fix, not a server fault.
    if (!retryable && status < 500) throw new ValidationError('url', `download failed: ${why} (HTTP ${status})`);
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
    throw new ValidationError('url', 'the downloaded file is empty');
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

export function tooLarge(maxBytes: number, actual?: number): ProcessingError {
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