import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** Serves files from a folder on loopback, as a video host would: `/<name>` with a content type. */
export interface MediaServer {
  url(name: string): string;
  requests: string[];
  close(): Promise<void>;
}

export async function startMediaServer(dir: string, contentTypes: Record<string, string> = {}): Promise<MediaServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    requests.push(name);
    const file = path.join(dir, path.basename(name));
    if (!name || !fs.existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const stat = fs.statSync(file);
    res.writeHead(200, {
      'content-type': contentTypes[name] ?? (name.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream'),
      'content-length': stat.size,
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
