import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import net from 'node:net';
import { Agent } from 'undici';
import { PrivateAddressError } from '../errors.js';
import { isPrivateAddress, pinnedLookup, type FetchPolicy } from './resolve.js';

/**
 * Where the service's own connections to user-supplied URLs are pinned: every socket resolves
 * through `pinnedLookup`, so what was checked is what is connected to, on every hop.
 */

/** An undici dispatcher for `fetch` whose every connection is resolved and checked once. */
export function guardedAgent(policy: FetchPolicy): Agent {
  return new Agent({ connect: { lookup: pinnedLookup(policy) } });
}

export interface GuardProxy {
  /** `http://127.0.0.1:<port>` for yt-dlp's `--proxy`. */
  url: string;
  /** Connections refused because their host was private, in order. */
  refused: PrivateAddressError[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer']);

/**
 * A loopback HTTP proxy for one yt-dlp run. yt-dlp (and the ffmpeg it may start) resolve names
 * themselves, so checking the URL beforehand cannot stop a name that answers differently at
 * connect time, nor the extractor's own requests to other hosts and redirects. With `--proxy`
 * pointing here every connection yt-dlp makes (CONNECT for https, absolute-form requests for
 * http) is opened by this process through `pinnedLookup`, and a private answer is refused at
 * the moment of connecting. Only loopback listens; it lives as long as the download.
 */
export async function startGuardProxy(policy: FetchPolicy): Promise<GuardProxy> {
  const lookup = pinnedLookup(policy);
  const refused: PrivateAddressError[] = [];
  const sockets = new Set<Socket>();

  /** Checks an IP literal (the lookup never sees those); a refusal is recorded. */
  const literalRefused = (host: string): boolean => {
    const bare = host.replace(/^\[|\]$/g, '');
    if (policy.allowPrivate || net.isIP(bare) === 0 || !(policy.isPrivate ?? isPrivateAddress)(bare)) return false;
    refused.push(new PrivateAddressError(host, 'connect'));
    return true;
  };
  const record = (error: unknown): boolean => {
    if (error instanceof PrivateAddressError) refused.push(error);
    return error instanceof PrivateAddressError;
  };

  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    if (target.protocol !== 'http:') {
      res.writeHead(400).end('only http is proxied this way; use CONNECT');
      return;
    }
    if (literalRefused(target.hostname)) {
      res.writeHead(403).end('private address');
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    const upstream = http.request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || 80,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
        lookup,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      const status = record(error) ? 403 : 502;
      if (!res.headersSent) res.writeHead(status).end(status === 403 ? 'private address' : 'upstream failed');
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const host = match[1]!;
    if (literalRefused(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: host.replace(/^\[|\]$/g, ''), port: Number(match[2]), lookup }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (error) => {
      const forbidden = record(error);
      if (client.writable) client.end(forbidden ? 'HTTP/1.1 403 Forbidden\r\n\r\n' : 'HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
