import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGuardProxy, type GuardProxy } from '../../src/ingest/guard.js';
import { refusedFormatMessage } from '../../src/ingest/probe.js';
import { withoutProxySettings } from '../../src/ingest/ytdlp.js';

/** The guard proxy yt-dlp talks through: CONNECT (https) and absolute-form requests (http). */

let echo: net.Server;
let web: http.Server;
let echoPort: number;
let webPort: number;
const dns = async (host: string) => (host === 'public.test' ? ['127.0.0.1'] : host === 'rebind.test' ? ['127.0.0.1'] : []);
/** Loopback plays the public internet for `public.test`; `rebind.test` gets the real rule. */
const policyFor = (allowLoopback: boolean) => ({
  allowPrivate: false,
  lookup: dns,
  isPrivate: (ip: string) => !(allowLoopback && ip === '127.0.0.1'),
});

beforeAll(async () => {
  echo = net.createServer((socket) => socket.pipe(socket));
  web = http.createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as AddressInfo).port;
  webPort = (web.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => echo.close(() => r()));
  web.closeAllConnections();
  await new Promise<void>((r) => web.close(() => r()));
});

/** Sends CONNECT, then `payload` once tunnelled; resolves with everything received. */
function tunnel(proxy: GuardProxy, target: string, payload: string): Promise<string> {
  const { port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.startsWith('HTTP/1.1 200') && received.endsWith('\r\n\r\n')) socket.write(payload);
      if (received.includes(payload)) socket.end();
    });
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('guard proxy', () => {
  it('tunnels to an allowed address and refuses a private one at connect time', async () => {
    const open = await startGuardProxy(policyFor(true));
    try {
      const answer = await tunnel(open, `public.test:${echoPort}`, 'ping');
      expect(answer).toMatch(/^HTTP\/1\.1 200[^]*ping$/);
      expect(open.refused).toEqual([]);
    } finally {
      await open.close();
    }
    const strict = await startGuardProxy(policyFor(false));
    try {
      expect(await tunnel(strict, `rebind.test:${echoPort}`, 'ping')).toMatch(/^HTTP\/1\.1 403/);
      expect(await tunnel(strict, `[::1]:${echoPort}`, 'ping')).toMatch(/^HTTP\/1\.1 403/);
      expect(strict.refused.map((e) => e.host)).toEqual(['rebind.test', '[::1]']);
    } finally {
      await strict.close();
    }
  });

  it('forwards plain http requests to allowed hosts only', async () => {
    for (const allowLoopback of [true, false]) {
      const proxy = await startGuardProxy(policyFor(allowLoopback));
      try {
        const { port } = new URL(proxy.url);
        const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path: `http://public.test:${webPort}/v.mp4`, agent: false }, (r) => {
            let body = '';
            r.on('data', (c: Buffer) => (body += c.toString()));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
        expect(res).toEqual(allowLoopback ? { status: 200, body: 'hello /v.mp4' } : { status: 403, body: 'private address' });
        expect(proxy.refused).toHaveLength(allowLoopback ? 0 : 1);
      } finally {
        await proxy.close();
      }
    }
  });
});

describe('withoutProxySettings', () => {
  it('drops every proxy variable, in any case, and keeps the rest', () => {
    const env = { PATH: '/bin', HTTP_PROXY: 'x', https_proxy: 'x', NO_PROXY: 'x', no_proxy: 'x', ALL_PROXY: 'x', HOME: '/h' };
    expect(withoutProxySettings(env)).toEqual({ PATH: '/bin', HOME: '/h' });
  });
});

describe('refusedFormatMessage', () => {
  it.each([
    ['#EXTM3U\n#EXT-X-VERSION:3', /an HLS playlist/],
    ['\xef\xbb\xbf#EXTM3U\n', /an HLS playlist/], // UTF-8 byte order mark
    ['ffconcat version 1.0\nfile a.ts', /an ffconcat file list/],
    ['[playlist]\nFile1=x', /a playlist/],
    ['<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash">', /a streaming manifest/],
    ['\x89PNG\r\n\x1a\n', /still image/],
    ['\xff\xd8\xff\xe0', /still image/],
    ['RIFF\0\0\0\0WEBPVP8 ', /still image/],
    ['ID3\x04\0', /not in a supported container/],
  ])('%j', (head, message) => {
    expect(refusedFormatMessage(Buffer.from(head, 'latin1'))).toMatch(message);
  });
});
