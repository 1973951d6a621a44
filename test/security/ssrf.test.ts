import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/services/worker.js';
import { getExercisesByUrl } from '../../src/database/index.js';
import { AppError, BadRequestError, PrivateAddressError } from '../../src/errors.js';
import { downloadMedia } from '../../src/ingest/download.js';
import { assertFetchable, embeddedIPv4s, isPrivateAddress } from '../../src/ingest/resolve.js';
import { waitForJob } from '../../src/services/jobs.js';
import { processUrl, submitUrl } from '../../src/services/processing.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { BACKENDS } from '../helpers/db.js';
import { makeTestVideo } from '../helpers/videos.js';

/**
 * Server-side request forgery: every way of writing a private address, literally, encoded, in
 * IPv6 wrappers, behind a name or behind a redirect, is refused before anything is fetched.
 */

describe('IPv6 forms that carry an IPv4 address', () => {
  const cases: [string, string[], boolean][] = [
    // [address, embedded IPv4 decoded, private]
    ['::ffff:127.0.0.1', ['127.0.0.1'], true], // IPv4-mapped
    ['::ffff:0:127.0.0.1', ['127.0.0.1'], true], // IPv4-translated (SIIT)
    ['::ffff:0:a00:1', ['10.0.0.1'], true],
    ['::ffff:0:8.8.8.8', ['8.8.8.8'], false],
    ['::127.0.0.1', ['127.0.0.1'], true], // IPv4-compatible
    ['::7f00:1', ['127.0.0.1'], true],
    ['::8.8.8.8', ['8.8.8.8'], false],
    ['2002:7f00:1::1', ['127.0.0.1'], true], // 6to4
    ['2002:a9fe:a9fe::', ['169.254.169.254'], true],
    ['2002:808:808::1', ['8.8.8.8'], false],
    ['64:ff9b::7f00:1', ['127.0.0.1'], true], // NAT64 well-known prefix
    ['64:ff9b::10.1.2.3', ['10.1.2.3'], true],
    ['64:ff9b::808:808', ['8.8.8.8'], false],
    ['64:ff9b:1::7f00:1', [], true], // NAT64 local use: blocked whole
    ['64:ff9b:1:808:8:800::', [], true],
    // Teredo: server 65.54.227.120, client obfuscated (each bit inverted)
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', ['65.54.227.120', '127.0.0.1'], true],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', ['65.54.227.120', '10.0.0.1'], true],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', ['65.54.227.120', '8.8.8.8'], false],
    ['2001:0:a00:1::f7f7:f7f7', ['10.0.0.1', '8.8.8.8'], true], // private Teredo server
    ['2606:4700:4700::1111', [], false],
  ];
  it.each(cases)('%s embeds %j (private: %s)', (ip, embedded, expected) => {
    expect(embeddedIPv4s(ip)).toEqual(embedded);
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe('URLs naming a private address are refused without DNS', () => {
  const noDns = async (): Promise<string[]> => {
    throw new Error('DNS must not be asked for an IP literal');
  };
  it.each([
    'http://127.0.0.1/',
    'http://127.1/', // short form
    'http://2130706433/', // decimal
    'http://0177.0.0.1/', // octal
    'http://0x7f000001/', // hex
    'http://0x7f.0.0.1/',
    'http://%31%32%37.0.0.1/', // percent-encoded
    'http://127.0.0.1.:8080/', // trailing dot
    'http://0/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:0:127.0.0.1]/',
    'http://[::127.0.0.1]/',
    'http://[2002:7f00:1::1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[64:ff9b:1::a00:1]/',
    'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
    'http://[fe80::1]/',
  ])('%s', async (url) => {
    const error = await assertFetchable(url, { allowPrivate: false, lookup: noDns }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect((error as PrivateAddressError).status).toBe(400);
  });

  it('lets a public literal through (the rule is not "refuse everything")', async () => {
    await expect(assertFetchable('http://8.8.8.8/', { allowPrivate: false, lookup: noDns })).resolves.toBeUndefined();
    await expect(assertFetchable('http://[2606:4700:4700::1111]/', { allowPrivate: false, lookup: noDns })).resolves.toBeUndefined();
  });

  it('refuses a name when any of its answers is private, in any IPv6 wrapper', async () => {
    for (const answer of ['10.0.0.5', '::ffff:0:127.0.0.1', '2002:7f00:1::1', '64:ff9b::a9fe:a9fe']) {
      const lookup = async () => ['93.184.216.34', answer];
      await expect(assertFetchable('https://cdn.example.com/v.mp4', { allowPrivate: false, lookup }), answer).rejects.toBeInstanceOf(
        PrivateAddressError,
      );
    }
  });
});

/** A server with redirects to private places; the test DNS sends `video.test` to it. */
async function startRedirectServer(video: Buffer): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push(p);
    const targets: Record<string, string> = {
      '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
      '/to-decimal': 'http://2130706434/clip.mp4', // 127.0.0.2
      '/to-mapped': 'http://[::ffff:7f00:2]/clip.mp4',
      '/to-6to4': 'http://[2002:a00:1::1]/clip.mp4',
      '/to-internal-name': 'http://internal.test/clip.mp4',
    };
    if (targets[p]) return void res.writeHead(302, { location: targets[p] }).end();
    if (p === '/clip.mp4') return void res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length }).end(video);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** The test server is on loopback: this one loopback address plays a public host. */
const isPrivate = (ip: string) => ip !== '127.0.0.1' && isPrivateAddress(ip);
const testDns = async (host: string) => (host === 'video.test' ? ['127.0.0.1'] : host === 'internal.test' ? ['10.0.0.7'] : []);

describe('redirects to a private address', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startRedirectServer>>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ssrf-'));
    await makeTestVideo(path.join(dir, 'clip.mp4'), { duration: 2, label: false });
    server = await startRedirectServer(fs.readFileSync(path.join(dir, 'clip.mp4')));
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fetches the public host itself (precondition)', async () => {
    const result = await downloadMedia({ url: `http://video.test:${server.port}/clip.mp4`, platform: 'web', carouselIndex: 1 }, path.join(dir, 'ok'), {
      maxBytes: 10_000_000,
      timeoutMs: 10_000,
      allowPrivate: false,
      lookup: testDns,
      isPrivate,
    });
    expect(result.items).toHaveLength(1);
  });

  it.each(['/to-metadata', '/to-decimal', '/to-mapped', '/to-6to4', '/to-internal-name'])('%s is refused, naming the redirect', async (p) => {
    server.hits.length = 0;
    const error = await downloadMedia({ url: `http://video.test:${server.port}${p}`, platform: 'web', carouselIndex: 1 }, path.join(dir, p), {
      maxBytes: 10_000_000,
      timeoutMs: 10_000,
      allowPrivate: false,
      lookup: testDns,
      isPrivate,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect((error as Error).message).toMatch(/^The URL redirects to a private address/);
    expect(server.hits).toEqual([p]);
    expect(fs.existsSync(path.join(dir, p, '1.mp4'))).toBe(false);
  });
});

describe.each(BACKENDS)('private addresses through the service on %s', (backend) => {
  let t: TestContext;
  let dir: string;
  let server: Awaited<ReturnType<typeof startRedirectServer>>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ssrf-job-'));
    await makeTestVideo(path.join(dir, 'clip.mp4'), { duration: 2, label: false });
    server = await startRedirectServer(fs.readFileSync(path.join(dir, 'clip.mp4')));
    t = await createTestContext(backend, { ALLOW_PRIVATE_URLS: 'false' });
    t.ctx.fetchPolicy = { lookup: testDns, isPrivate };
    startWorker(t.ctx, 1);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a URL that itself resolves privately is a 400 at submit time, and no job is made', async () => {
    const error = await submitUrl(t.ctx, { url: `http://internal.test:${server.port}/clip.mp4` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
    const rows = await t.ctx.db.query('SELECT id FROM jobs');
    expect(rows).toHaveLength(0);
  });

  it('a redirect to a private address ends the job failed with a message naming it, nothing stored', async () => {
    const url = `http://video.test:${server.port}/to-metadata`;
    const { job } = await submitUrl(t.ctx, { url, exercises: [{ name: 'Squat', start_time: 0, end_time: 2 }] });
    const done = await waitForJob(t.ctx, job.id, 60_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/^The URL redirects to a private address \(host 169\.254\.169\.254\)/);
    expect(done.attempts).toBe(1);
    expect(await getExercisesByUrl(t.ctx.db, url)).toEqual([]);
    expect(fs.readdirSync(t.config.clipsDir)).toEqual([]);
  });

  it('a caller waiting for the job (sync /process) gets the 400 the contract names, not a 500', async () => {
    const url = `http://video.test:${server.port}/to-metadata?sync=1`;
    const error = await processUrl(t.ctx, { url, background: false, exercises: [{ name: 'Squat', start_time: 0, end_time: 2 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    expect((error as AppError).message).toMatch(/^The URL redirects to a private address/);
  });
});
