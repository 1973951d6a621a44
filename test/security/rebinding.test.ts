import { existsSync } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/services/worker.js';
import { getExercisesByUrl } from '../../src/database/index.js';
import { PrivateAddressError } from '../../src/errors.js';
import { downloadMedia } from '../../src/ingest/download.js';
import { downloadWithYtDlp } from '../../src/ingest/ytdlp.js';
import { waitForJob } from '../../src/services/jobs.js';
import { submitUrl } from '../../src/services/processing.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { BACKENDS } from '../helpers/db.js';
import { startMediaServer, type MediaServer } from '../helpers/media-server.js';
import { makeTestVideo } from '../helpers/videos.js';

/**
 * DNS rebinding: a name that answers a public address to the check and loopback to the
 * connection. The test's DNS plays the attacker; `localhost` is the name because the system's
 * resolver also sends it to loopback, so a download that resolves on its own (instead of
 * connecting to what was checked) reaches the test server and the test sees it.
 */

const YTDLP = '/usr/bin/yt-dlp';

/** Answers a public address to the first `publicAnswers` questions, loopback to the rest. */
function rebindingDns(publicAnswers: number) {
  const answers: string[] = [];
  const lookup = async (host: string): Promise<string[]> => {
    const address = answers.length < publicAnswers ? '93.184.216.34' : '127.0.0.1';
    answers.push(`${host}=${address}`);
    return [address];
  };
  return { lookup, answers };
}

let dir: string;
let media: MediaServer;
let port: number;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-rebind-'));
  await makeTestVideo(path.join(dir, 'clip.mp4'), { duration: 3, label: false });
  media = await startMediaServer(dir);
  port = Number(new URL(media.url('x')).port);
});
afterAll(async () => {
  await media?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a direct download', () => {
  it('connects to the checked address only: loopback at connect time is refused', async () => {
    const dns = rebindingDns(1);
    media.requests.length = 0;
    const dest = path.join(dir, 'direct');
    const error = await downloadMedia({ url: `http://localhost:${port}/clip.mp4`, platform: 'web', carouselIndex: 1 }, dest, {
      maxBytes: 10_000_000,
      timeoutMs: 10_000,
      allowPrivate: false,
      lookup: dns.lookup,
    }).catch((e: unknown) => e);
    // Nothing reached the loopback server (on a download that resolves twice, the video would).
    expect(media.requests).toEqual([]);
    expect(existsSync(path.join(dest, '1.mp4'))).toBe(false);
    // The check was asked first and saw the public answer; the connection asked again.
    expect(dns.answers).toEqual(['localhost=93.184.216.34', 'localhost=127.0.0.1']);
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect((error as Error).message).toMatch(/resolved to a private address when connecting/);
  });
});

describe.skipIf(!existsSync(YTDLP))('a yt-dlp download', () => {
  it('goes through the guard proxy: loopback at connect time is refused', async () => {
    const dns = rebindingDns(1);
    // The check (as the pipeline makes it before yt-dlp) sees the public address.
    expect(await dns.lookup('localhost')).toEqual(['93.184.216.34']);
    media.requests.length = 0;
    const dest = path.join(dir, 'ytdlp');
    const error = await downloadWithYtDlp(`http://localhost:${port}/clip.mp4`, dest, {
      ytdlpPath: YTDLP,
      maxBytes: 10_000_000,
      timeoutMs: 60_000,
      allowPrivate: false,
      lookup: dns.lookup,
    }).catch((e: unknown) => e);
    expect(media.requests).toEqual([]);
    expect(fs.readdirSync(dest).filter((n) => n.endsWith('.mp4'))).toEqual([]);
    expect(dns.answers.length).toBeGreaterThan(1);
    expect(dns.answers.slice(1).every((a) => a === 'localhost=127.0.0.1')).toBe(true);
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect((error as Error).message).toMatch(/localhost resolved to a private address when connecting/);
  });

  it('downloads through the proxy when the connected address is allowed (precondition)', async () => {
    media.requests.length = 0;
    const result = await downloadWithYtDlp(`http://localhost:${port}/clip.mp4`, path.join(dir, 'ytdlp-ok'), {
      ytdlpPath: YTDLP,
      maxBytes: 10_000_000,
      timeoutMs: 60_000,
      allowPrivate: false,
      lookup: async () => ['127.0.0.1'],
      isPrivate: (ip) => ip !== '127.0.0.1',
    });
    expect(result.items).toHaveLength(1);
    expect(media.requests).toContain('clip.mp4');
  });
});

describe.each(BACKENDS)('a job on %s', (backend) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(backend, { ALLOW_PRIVATE_URLS: 'false' });
    startWorker(t.ctx, 1);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('fails with the rebinding named and publishes nothing', async () => {
    // Three checks see the public address (submit, the pipeline's resolve step, the download's
    // first hop); the connection that follows gets loopback. A change in the number of checks
    // makes this fail loudly (a check refusing, or a connection to the public address), not pass.
    const dns = rebindingDns(3);
    t.ctx.fetchPolicy = { lookup: dns.lookup };
    media.requests.length = 0;
    const url = `http://localhost:${port}/clip.mp4`;
    const { job } = await submitUrl(t.ctx, { url, exercises: [{ name: 'Squat', start_time: 0, end_time: 3 }] });
    const done = await waitForJob(t.ctx, job.id, 60_000);
    expect(dns.answers.at(-1)).toBe('localhost=127.0.0.1');
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/localhost resolved to a private address when connecting/);
    expect(media.requests).toEqual([]);
    expect(await getExercisesByUrl(t.ctx.db, url)).toEqual([]);
    expect(fs.readdirSync(t.config.clipsDir)).toEqual([]);
  });
});
