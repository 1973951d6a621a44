import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Clip streaming must never serve a file outside CLIPS_DIR: not with `..` raw or encoded (once,
 * twice, as a backslash, as overlong UTF-8), not through a symlinked file or folder, not hidden
 * files. Requests go out raw (node:http with the path as written): fetch would normalise `..`.
 */

const SECRET = 'TOP-SECRET-CONTENT-7f3a';

function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(BACKENDS)('clip streaming refuses paths out of CLIPS_DIR on %s', (backend) => {
  let s: TestServer;
  let outside: string;
  beforeAll(async () => {
    s = await startTestServer(backend);
    fs.writeFileSync(path.join(s.config.clipsDir, 'clip-a.mp4'), Buffer.alloc(1000, 1));
    outside = path.join(s.dataDir, 'outside');
    fs.mkdirSync(outside);
    for (const name of ['secret.mp4', 'secret.jpg']) {
      fs.writeFileSync(path.join(s.dataDir, name), SECRET);
      fs.writeFileSync(path.join(outside, name), SECRET);
    }
    fs.symlinkSync(path.join(s.dataDir, 'secret.mp4'), path.join(s.config.clipsDir, 'escape.mp4'));
    fs.symlinkSync(outside, path.join(s.config.clipsDir, 'linked'));
    fs.writeFileSync(path.join(s.config.clipsDir, '.deleting-x.mp4'), SECRET);
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('serves a clip that is inside (precondition)', async () => {
    const ok = await rawGet(s.url, '/storage/clips/clip-a.mp4');
    expect(ok.status).toBe(200);
    expect(ok.body.length).toBe(1000);
    expect(fs.readFileSync(path.join(s.config.clipsDir, 'escape.mp4'), 'utf8')).toBe(SECRET);
    expect(fs.readFileSync(path.join(s.config.clipsDir, 'linked', 'secret.mp4'), 'utf8')).toBe(SECRET);
  });

  it.each([
    '/storage/clips/../secret.mp4',
    '/storage/clips/..%2fsecret.mp4',
    '/storage/clips/..%2Fsecret.mp4',
    '/storage/clips/%2e%2e%2fsecret.mp4',
    '/storage/clips/%2e%2e/secret.mp4',
    '/storage/clips/.%2e/secret.mp4',
    '/storage/clips/..%5csecret.mp4',
    '/storage/clips/..\\secret.mp4',
    '/storage/clips/%252e%252e%252fsecret.mp4',
    '/storage/clips/..%c0%afsecret.mp4',
    '/storage/clips/%2fsecret.mp4',
    '/storage/clips/escape.mp4',
    '/storage/clips/linked/secret.mp4',
    '/storage/clips/linked%2fsecret.mp4',
    '/storage/clips/linked%2f..%2f..%2fsecret.jpg',
    '/storage/clips/.deleting-x.mp4',
    '/storage/clips/%2edeleting-x.mp4',
    '/storage/../secret.mp4',
    '/storage/clips/clip-a.mp4/../../secret.mp4',
  ])('%s', async (rawPath) => {
    const res = await rawGet(s.url, rawPath);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).not.toContain(SECRET);
  });
});
