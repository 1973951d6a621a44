import http from 'node:http';

/**
 * A small HTTP proxy in front of a real Qdrant for fault tests: it forwards (`pass`), answers 500
 * (`fail`), forwards after a delay (`slow`), or holds point writes unanswered and never forwards
 * them (`hold`, a relay frozen mid-batch; other requests pass). Every forwarded point write is recorded when Qdrant
 * answered it, numbered across all proxies of the test file, so writes through two proxies can be put in one order.
 */
export type ProxyMode = 'pass' | 'fail' | 'slow' | 'hold';

export interface PointWrite {
  op: 'upsert' | 'delete';
  ids: string[];
  /** When the client sent it and when Qdrant answered (performance.now()). */
  sentAt?: number;
  answeredAt?: number;
  /** Position among the writes answered through every proxy in this process. */
  order?: number;
  /** The client had given up (timed out) before Qdrant answered: Qdrant applied it all the same. */
  abandoned?: boolean;
}

let answered = 0;

export interface QdrantProxy {
  url: string;
  mode: ProxyMode;
  slowMs: number;
  /** Point writes forwarded to Qdrant, in order. */
  writes: PointWrite[];
  /** Requests currently held (mode `hold`). */
  held: number;
  close(): Promise<void>;
}

function pointWrite(method: string, url: string, body: string): PointWrite | null {
  try {
    if (method === 'PUT' && /\/collections\/[^/]+\/points(\?|$)/.test(url)) {
      return { op: 'upsert', ids: (JSON.parse(body).points as { id: string }[]).map((p) => String(p.id)) };
    }
    if (method === 'POST' && /\/collections\/[^/]+\/points\/delete/.test(url)) return { op: 'delete', ids: (JSON.parse(body).points as string[]).map(String) };
  } catch {
    // not a point write we understand
  }
  return null;
}

export async function startQdrantProxy(target: string): Promise<QdrantProxy> {
  const held = new Set<http.ServerResponse>();
  const proxy: QdrantProxy = {
    url: '',
    mode: 'pass',
    slowMs: 2000,
    writes: [],
    get held() {
      return held.size;
    },
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const sentAt = performance.now();
      let clientGone = false;
      res.on('close', () => {
        if (!res.writableFinished) clientGone = true;
      });
      const body = Buffer.concat(chunks);
      const mode = proxy.mode;
      if (mode === 'fail') {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ status: { error: 'injected failure' } }));
        return;
      }
      if (mode === 'hold' && pointWrite(req.method ?? '', req.url ?? '', body.toString())) {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      const forward = () => {
        const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
          const write = pointWrite(req.method ?? '', req.url ?? '', body.toString());
          if (write && (up.statusCode ?? 500) < 300) proxy.writes.push({ ...write, sentAt, answeredAt: performance.now(), order: ++answered, abandoned: clientGone });
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', () => {
          if (!res.headersSent) res.writeHead(502).end();
        });
        upstream.end(body);
      };
      if (mode === 'slow') setTimeout(forward, proxy.slowMs);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  proxy.close = async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
