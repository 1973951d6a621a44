import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ProcessingError, ValidationError } from '../../src/errors.js';
import { downloadMedia } from '../../src/ingest/download.js';
import { isPrivateAddress } from '../../src/ingest/resolve.js';
import { buildYtDlpArgs, classifyYtDlpFailure, collectYtDlpOutput, downloadWithYtDlp, summarizeInfo } from '../../src/ingest/ytdlp.js';

const YTDLP = '/usr/bin/yt-dlp';
const hasYtDlp = existsSync(YTDLP);

/** A 2-second test pattern with sound, small enough to serve many times. */
function makeVideo(file: string, seconds = 2): void {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=15',
    '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest',
    file,
  ]);
}

let root: string;
let video: Buffer;
let server: http.Server;
let base: string;
let port: number;
const hits: string[] = [];

async function expectProcessingError(promise: Promise<unknown>, retryable: boolean, message: RegExp): Promise<ProcessingError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProcessingError);
  expect((error as ProcessingError).message).toMatch(message);
  expect((error as ProcessingError).retryable).toBe(retryable);
  return error as ProcessingError;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fb-download-'));
  makeVideo(path.join(root, 'clip.mp4'));
  video = await readFile(path.join(root, 'clip.mp4'));

  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push(url.pathname);
    const send = (status: number, headers: Record<string, string | number>, body?: Buffer | string) => {
      res.writeHead(status, headers);
      res.end(body);
    };
    const p = url.pathname;
    if (p === '/videos/squat%20demo.mp4' || p === '/clip.mp4' || p === '/b.mp4' || p === '/c.mp4') {
      return send(200, { 'content-type': 'video/mp4', 'content-length': video.length }, video);
    }
    if (p === '/octet') return send(200, { 'content-type': 'application/octet-stream' }, video);
    if (p === '/octet-html') return send(200, { 'content-type': 'application/octet-stream' }, '<html>nope</html>');
    if (p === '/page.html') return send(200, { 'content-type': 'text/html; charset=utf-8' }, '<html><body>hi</body></html>');
    if (p === '/declared-huge') {
      // Claims a huge body; the client must give up before reading it.
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 10_000_000_000 });
      res.write(video.subarray(0, 1000));
      return;
    }
    if (p === '/endless') {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      const timer = setInterval(() => {
        if (!res.write(Buffer.alloc(64 * 1024, 1))) return;
      }, 1);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (p === '/slow') {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(video.subarray(0, 100));
      const timer = setTimeout(() => res.end(video.subarray(100)), 10_000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    const status = /^\/status\/(\d+)$/.exec(p);
    if (status) return send(Number(status[1]), { 'content-type': 'text/plain' }, 'status');
    const hop = /^\/hop\/(\d+)$/.exec(p);
    if (hop) {
      const n = Number(hop[1]);
      return send(302, { location: n === 0 ? '/clip.mp4' : `/hop/${n - 1}` });
    }
    if (p === '/to-metadata') return send(301, { location: 'http://169.254.169.254/latest/meta-data/' });
    if (p === '/post.html') {
      return send(
        200,
        { 'content-type': 'text/html' },
        `<html><head><title>Leg day carousel</title></head><body>
        <video src="/clip.mp4"></video><video src="/b.mp4"></video><video src="/c.mp4"></video></body></html>`,
      );
    }
    send(404, { 'content-type': 'text/plain' }, 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

let dirCounter = 0;
const freshDir = () => path.join(root, `out-${++dirCounter}`);
const web = (url: string) => ({ url, platform: 'web' as const, carouselIndex: 1 });
const opts = { maxBytes: 50_000_000, timeoutMs: 10_000, allowPrivate: true };

describe('downloadMedia (direct links)', () => {
  it('downloads a video and names it after the last path segment', async () => {
    const dest = freshDir();
    const result = await downloadMedia(web(`${base}/videos/squat%20demo.mp4`), dest, opts);
    expect(result.items).toHaveLength(1);
    expect(result.items[0]!.carouselIndex).toBe(1);
    expect(result.items[0]!.path).toBe(path.join(dest, '1.mp4'));
    expect(await readFile(result.items[0]!.path)).toEqual(video);
    expect(result.title).toBe('squat demo');
    expect(result).toMatchObject({ caption: null, tags: [], uploader: null, durationHint: null });
  });

  it('accepts application/octet-stream when the bytes are a video, refuses it otherwise', async () => {
    const ok = await downloadMedia(web(`${base}/octet`), freshDir(), opts);
    expect((await stat(ok.items[0]!.path)).size).toBe(video.length);
    const dest = freshDir();
    await expectProcessingError(downloadMedia(web(`${base}/octet-html`), dest, opts), false, /not a video/);
    expect(await readdir(dest)).toEqual([]);
  });

  it('refuses pages that are not videos', async () => {
    await expectProcessingError(downloadMedia(web(`${base}/page.html`), freshDir(), opts), false, /not a video \(content-type text\/html\)/);
  });

  it('maps HTTP statuses to permanent or retryable errors', async () => {
    // The origin refusing the URL is the submitter's input: a 422 naming url, never retried.
    for (const [status, message] of [[404, /^url: download failed: video not found \(HTTP 404\)$/], [410, /HTTP 410/], [403, /HTTP 403/]] as const) {
      const error = await downloadMedia(web(`${base}/status/${status}`), freshDir(), opts).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(message);
      expect((error as ValidationError).retryable).toBe(false);
    }
    await expectProcessingError(downloadMedia(web(`${base}/status/429`), freshDir(), opts), true, /HTTP 429/);
    await expectProcessingError(downloadMedia(web(`${base}/status/503`), freshDir(), opts), true, /HTTP 503/);
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const dest = freshDir();
    await expectProcessingError(downloadMedia(web(`${base}/declared-huge`), dest, opts), false, /too large/);
    expect(await readdir(dest)).toEqual([]);
  });

  it('stops a body without Content-Length once it passes the limit and removes the partial file', async () => {
    const dest = freshDir();
    await expectProcessingError(downloadMedia(web(`${base}/endless`), dest, { ...opts, maxBytes: 1_000_000 }), false, /too large/);
    expect(await readdir(dest)).toEqual([]);
  });

  it('times out (retryable) and removes the partial file', async () => {
    const dest = freshDir();
    await expectProcessingError(downloadMedia(web(`${base}/slow`), dest, { ...opts, timeoutMs: 1000 }), true, /timed out/);
    expect(await readdir(dest)).toEqual([]);
  });

  it('treats a refused connection as retryable', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expectProcessingError(downloadMedia(web(`http://127.0.0.1:${closedPort}/x.mp4`), freshDir(), opts), true, /ECONNREFUSED/);
  });

  it('follows up to 5 redirects and refuses a 6th', async () => {
    const result = await downloadMedia(web(`${base}/hop/4`), freshDir(), opts);
    expect(result.title).toBe('clip');
    await expectProcessingError(downloadMedia(web(`${base}/hop/5`), freshDir(), opts), false, /redirects/);
  });

  it('refuses private addresses unless allowed, on the first hop and on redirects', async () => {
    await expect(downloadMedia(web(`${base}/clip.mp4`), freshDir(), { ...opts, allowPrivate: false })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    // The first hop's name resolves to the test server, treated as public; the redirect points at cloud metadata.
    hits.length = 0;
    const lookup = async () => ['127.0.0.1'];
    const isPrivate = (ip: string) => ip !== '127.0.0.1' && isPrivateAddress(ip);
    await expect(
      downloadMedia(web(`http://video.test:${port}/to-metadata`), freshDir(), { ...opts, allowPrivate: false, lookup, isPrivate }),
    ).rejects.toThrow(/redirects to a private address/);
    expect(hits).toEqual(['/to-metadata']);
  });

  it('refuses an external abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('job cancelled')), 200);
    await expect(downloadMedia(web(`${base}/slow`), freshDir(), { ...opts, signal: controller.signal })).rejects.toThrow(
      'job cancelled',
    );
  });
});

describe('yt-dlp', () => {
  it('builds arguments for single videos and carousel slides', () => {
    const single = buildYtDlpArgs('https://www.youtube.com/watch?v=x', '/tmp/d', { maxBytes: 1000, timeoutMs: 30_000 });
    expect(single).toContain('--no-playlist');
    expect(single).not.toContain('--playlist-items');
    expect(single.slice(-2)).toEqual(['--', 'https://www.youtube.com/watch?v=x']);
    expect(single[single.indexOf('--max-filesize') + 1]).toBe('1000');
    const slide = buildYtDlpArgs('https://www.instagram.com/p/abc/', '/tmp/d', {
      maxBytes: 1000,
      timeoutMs: 30_000,
      playlist: true,
      playlistItem: 3,
    });
    expect(slide).toContain('--yes-playlist');
    expect(slide[slide.indexOf('--playlist-items') + 1]).toBe('3');
    expect(slide).toContain(path.join('/tmp/d', '%(playlist_index|1)s.%(ext)s'));
  });

  it('classifies failures', () => {
    const cases: [string, boolean][] = [
      ['ERROR: Unsupported URL: https://example.com/', false],
      ['ERROR: [youtube] abc: Video unavailable', false],
      ['ERROR: [youtube] abc: Private video. Sign in if you have access', false],
      ['ERROR: [generic] None: Unable to download webpage: HTTP Error 404: Not Found', false],
      ['ERROR: [instagram] abc: HTTP Error 429: Too Many Requests', true],
      ['ERROR: unable to download video data: HTTP Error 503: Service Unavailable', true],
      ['ERROR: [tiktok] 1: Unable to download webpage: The read operation timed out', true],
      ['ERROR: [tiktok] 1: [Errno 104] Connection reset by peer', true],
      ['ERROR: [instagram] abc: Unable to extract shared data', false],
    ];
    for (const [output, retryable] of cases) {
      const error = classifyYtDlpFailure(output, '2023.03.04');
      expect(error.retryable, output).toBe(retryable);
      expect(error.message).not.toMatch(/please report/);
    }
    expect(classifyYtDlpFailure('ERROR: [instagram] abc: Unable to extract shared data', '2023.03.04').message).toMatch(
      /YTDLP_PATH/,
    );
  });

  it('explains how to install yt-dlp when it is missing', async () => {
    await expectProcessingError(
      downloadMedia({ url: 'https://www.tiktok.com/@a/video/1', platform: 'tiktok', carouselIndex: 1 }, freshDir(), {
        ...opts,
        ytdlpPath: path.join(root, 'no-such-yt-dlp'),
      }),
      false,
      /install a current yt-dlp.*YTDLP_PATH/,
    );
  });

  it('parses a carousel of three entries from info JSON fixtures', async () => {
    const dir = freshDir();
    await mkdir(dir);
    const entry = (i: number, extra: object = {}) =>
      JSON.stringify({ id: `e${i}`, title: `Video by coach`, playlist_index: i, duration: 10 + i, uploader: 'coach', ...extra });
    await writeFile(
      path.join(dir, 'playlist.info.json'),
      JSON.stringify({ _type: 'playlist', title: 'Post by coach', description: '1. Squats 3x12\n2. Lunges\n3. Plank', tags: ['legs'] }),
    );
    await writeFile(path.join(dir, '1.info.json'), entry(1, { tags: ['fitness', 'legs'] }));
    await writeFile(path.join(dir, '2.info.json'), entry(2));
    await writeFile(path.join(dir, '3.info.json'), entry(3));
    for (const name of ['3.mp4', '1.mp4', '2.webm', '2.en.vtt', '2.en-orig.vtt', '3.de.srt', '1.mp4.part', '1.f137.mp4']) {
      await writeFile(path.join(dir, name), 'x');
    }
    const result = await collectYtDlpOutput(dir);
    expect(result.items).toEqual([
      { path: path.join(dir, '1.mp4'), carouselIndex: 1 },
      { path: path.join(dir, '2.webm'), carouselIndex: 2, subtitlesPath: path.join(dir, '2.en.vtt') },
      { path: path.join(dir, '3.mp4'), carouselIndex: 3, subtitlesPath: path.join(dir, '3.de.srt') },
    ]);
    expect(result.caption).toBe('1. Squats 3x12\n2. Lunges\n3. Plank');
    expect(result.title).toBe('Video by coach');
    expect(result.tags).toEqual(['fitness', 'legs']);
    expect(result.uploader).toBe('coach');
    expect(result.durationHint).toBeNull();
  });

  it('summarizes a single video', () => {
    expect(
      summarizeInfo([{ title: ' Push-up tutorial ', description: 'How to', tags: ['a', 7, ''], channel: 'Gym', duration: 42.5 }], null),
    ).toEqual({ caption: 'How to', title: 'Push-up tutorial', tags: ['a'], uploader: 'Gym', durationHint: 42.5 });
    expect(summarizeInfo([], null)).toEqual({ caption: null, title: null, tags: [], uploader: null, durationHint: null });
  });

  describe.skipIf(!hasYtDlp)('real yt-dlp against a local server', () => {
    const ytOpts = { ytdlpPath: YTDLP, maxBytes: 50_000_000, timeoutMs: 60_000, allowPrivate: true };

    it('downloads a direct video link with its info JSON', async () => {
      const dest = freshDir();
      const result = await downloadWithYtDlp(`${base}/clip.mp4`, dest, ytOpts);
      expect(result.items).toEqual([{ path: path.join(dest, '1.mp4'), carouselIndex: 1 }]);
      expect(await readFile(result.items[0]!.path)).toEqual(video);
      expect(result.title).toBe('clip');
    });

    it('downloads every entry of a playlist in order, or one chosen entry', async () => {
      const all = await downloadWithYtDlp(`${base}/post.html`, freshDir(), { ...ytOpts, playlist: true });
      expect(all.items.map((i) => i.carouselIndex)).toEqual([1, 2, 3]);
      expect(all.title).toBeTruthy();
      const dest = freshDir();
      const one = await downloadWithYtDlp(`${base}/post.html`, dest, { ...ytOpts, playlist: true, playlistItem: 2 });
      expect(one.items).toEqual([{ path: path.join(dest, '2.mp4'), carouselIndex: 2 }]);
    });

    it('reports a 404 as permanent', async () => {
      await expectProcessingError(downloadWithYtDlp(`${base}/gone.mp4`, freshDir(), ytOpts), false, /HTTP Error 404/);
    });

    it('refuses files over the size limit', async () => {
      await expectProcessingError(downloadWithYtDlp(`${base}/clip.mp4`, freshDir(), { ...ytOpts, maxBytes: 1000 }), false, /too large/);
    });
  });
});
