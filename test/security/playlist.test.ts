import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/services/worker.js';
import { getExercisesByUrl } from '../../src/database/index.js';
import { cutClip } from '../../src/ingest/encode.js';
import { probeVideo } from '../../src/ingest/probe.js';
import { waitForJob } from '../../src/services/jobs.js';
import { submitUrl } from '../../src/services/processing.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { BACKENDS } from '../helpers/db.js';
import { startMediaServer, type MediaServer } from '../helpers/media-server.js';
import { FFMPEG, FFPROBE, makeTestVideo } from '../helpers/videos.js';

/**
 * A "video" whose body is a playlist or file list makes ffmpeg open the files named inside it.
 * Here they name a marker video on the server's disk (outside anything served); if ffmpeg read
 * it, its picture would become a public clip. Proof that it is never read: the marker's access
 * time, set before each job, is unchanged (the filesystem updates it on read: checked first).
 */

let dir: string;
let marker: string;
let media: MediaServer;

const PAST = new Date('2020-01-01T00:00:00Z');

function bodies(file: string): Record<string, string> {
  const hls = (segment: string) =>
    `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:4.0,\n${segment}\n#EXT-X-ENDLIST\n`;
  return {
    'hls-local.mp4': hls(file),
    'hls-file-segment.mp4': hls(`file:${file}`),
    'ffconcat.mp4': `ffconcat version 1.0\nfile ${file}\n`,
  };
}

const EXPECTED: Record<string, RegExp> = {
  'hls-local.mp4': /^The download is an HLS playlist, not a video; playlists and file lists are refused$/,
  'hls-file-segment.mp4': /^The download is an HLS playlist, not a video; playlists and file lists are refused$/,
  'ffconcat.mp4': /^The download is an ffconcat file list, not a video; playlists and file lists are refused$/,
};

function markAsUnread(file: string): void {
  fs.utimesSync(file, PAST, new Date());
}
function wasRead(file: string): boolean {
  return fs.statSync(file).atimeMs > PAST.getTime();
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-playlist-'));
  const secret = path.join(dir, 'server-files');
  marker = path.join(secret, 'marker.ts');
  fs.mkdirSync(secret);
  await makeTestVideo(marker.replace(/\.ts$/, '.mp4'), { duration: 4, label: false });
  // The same video as MPEG-TS, the segment format HLS expects.
  execFileSync(FFMPEG, ['-v', 'error', '-y', '-i', marker.replace(/\.ts$/, '.mp4'), '-c', 'copy', '-f', 'mpegts', marker]);
  const served = path.join(dir, 'served');
  fs.mkdirSync(served);
  for (const [name, body] of Object.entries(bodies(marker))) fs.writeFileSync(path.join(served, name), body);
  media = await startMediaServer(served);
});
afterAll(async () => {
  await media?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the filesystem records reads (precondition for the proofs below)', () => {
  it('a read moves the access time', () => {
    const control = path.join(dir, 'control.bin');
    fs.writeFileSync(control, 'x');
    markAsUnread(control);
    expect(wasRead(control)).toBe(false);
    fs.readFileSync(control);
    expect(wasRead(control)).toBe(true);
  });
});

describe('probing and cutting a downloaded playlist', () => {
  beforeEach(() => markAsUnread(marker));

  it.each(Object.keys(EXPECTED))('%s: probe refuses it with a short reason, the marker unread', async (name) => {
    const file = path.join(dir, 'served', name);
    const error = await probeVideo(file, { ffprobePath: FFPROBE, timeoutMs: 30_000, maxVideoSeconds: 600 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(EXPECTED[name]!);
    expect(wasRead(marker)).toBe(false);
  });

  it.each(Object.keys(EXPECTED))('%s: cutting refuses it too (no step trusts the probe alone)', async (name) => {
    const output = path.join(dir, `cut-${name}`);
    await expect(
      cutClip({ ffmpegPath: FFMPEG, timeoutMs: 30_000, input: path.join(dir, 'served', name), start: 0, end: 2, output, preset: 'ultrafast' }),
    ).rejects.toThrow(/Format not on whitelist/);
    expect(fs.existsSync(output)).toBe(false);
    expect(wasRead(marker)).toBe(false);
  });

  it('a real video still probes (the allow-list is not "refuse everything")', async () => {
    const info = await probeVideo(marker, { ffprobePath: FFPROBE, timeoutMs: 30_000, maxVideoSeconds: 600 });
    expect(info.formatName).toBe('mpegts');
  });
});

describe.each(BACKENDS)('a job for a playlist served as video/mp4 on %s', (backend) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(backend);
    startWorker(t.ctx, 1);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it.each(Object.keys(EXPECTED))('%s fails with a short message, stores nothing and never reads the file', async (name) => {
    markAsUnread(marker);
    const url = media.url(name);
    // Explicit segments: if the marker were read, these would be cut from it whatever any analyzer thinks.
    const { job } = await submitUrl(t.ctx, { url, exercises: [{ name: 'Marker', start_time: 0, end_time: 3 }] });
    const done = await waitForJob(t.ctx, job.id, 60_000);
    expect(media.requests).toContain(name);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(EXPECTED[name]!);
    expect(done.error).not.toContain(dir);
    expect(done.attempts).toBe(1);
    expect(await getExercisesByUrl(t.ctx.db, url)).toEqual([]);
    expect(fs.readdirSync(t.config.clipsDir)).toEqual([]);
    expect(wasRead(marker)).toBe(false);
  });
});
