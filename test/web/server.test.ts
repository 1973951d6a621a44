import Fastify from 'fastify';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, updateJobStatus } from '../../src/jobs/index.js';
import { registerWebApp } from '../../src/api/web.js';
import { API_TYPES_FILE, generateApiTypes } from '../../scripts/gen-api.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Reads server-sent events from a fetch body until the stream ends. */
async function* events(response: Response): AsyncGenerator<{ event: string; data: any }> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) yield { event, data: JSON.parse(data) };
    }
  }
}

describe('serving the built web app', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-web-dist-'));
  const app = Fastify();
  let url: string;

  beforeAll(async () => {
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>shell</title><div id="app"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-Ab12Cd34.js'), 'console.log(1)');
    // Stand-ins for the API's own routes, which the app must never shadow.
    app.get('/', async () => ({ message: 'Fitness Builder API', status: 'healthy' }));
    app.get('/api/v1/routines/:id', async () => ({ from: 'api' }));
    app.get('/health', async () => ({ status: 'healthy' }));
    expect(await registerWebApp(app, dir)).toBe(true);
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives browsers the app shell at / and API clients the contract JSON', async () => {
    const browser = await fetch(`${url}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(browser.headers.get('content-type')).toContain('text/html');
    expect(browser.headers.get('cache-control')).toBe('no-cache');
    expect(await browser.text()).toContain('<div id="app">');
    // Strict: this origin only, no inline script or style anywhere in the policy.
    const csp = browser.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-|\*|https?:/);
    const deep = await fetch(`${url}/exercises/abc`);
    expect(deep.headers.get('content-security-policy')).toBe(csp);
    const client = await fetch(`${url}/`);
    expect(await client.json()).toEqual({ message: 'Fitness Builder API', status: 'healthy' });
  });

  it.each(['/library', '/search?q=x', '/exercises/123', '/routines', '/routines/abc', '/routines/abc/workout', '/process', '/stories', '/status'])(
    'serves the shell for the client route %s',
    async (route) => {
      const r = await fetch(`${url}${route}`);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('<title>shell</title>');
    },
  );

  it('caches hashed assets for a year and leaves other paths alone', async () => {
    const asset = await fetch(`${url}/assets/index-Ab12Cd34.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect(await (await fetch(`${url}/api/v1/routines/abc`)).json()).toEqual({ from: 'api' });
    expect(await (await fetch(`${url}/health`, { headers: { accept: 'text/html' } })).json()).toEqual({ status: 'healthy' });
    expect((await fetch(`${url}/somewhere-else`)).status).toBe(404);
  });

  it('serves the API alone when the app is not built', async () => {
    const bare = Fastify();
    expect(await registerWebApp(bare, path.join(dir, 'nope'))).toBe(false);
    await bare.close();
  });
});

describe.each(BACKENDS)('job events and the API types on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(backend);
  });
  afterAll(async () => s?.close());

  it('the checked-in web/src/api/schema.d.ts is what the server generates (run `npm run gen:api`)', async () => {
    const current = await generateApiTypes(s.app);
    expect(current).toContain('"/api/v1/jobs/{job_id}/events"');
    expect(fs.readFileSync(API_TYPES_FILE, 'utf8')).toBe(current);
  });

  it('streams a job from pending to done as server-sent events, then ends', async () => {
    const { job } = await createJob(s.ctx.db, { type: 'process', payload: { url: 'https://example.com/v.mp4' } });
    const response = await fetch(`${s.url}/api/v1/jobs/${job.id}/events`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const seen: { status: string; step: string | null; percent: number }[] = [];
    for await (const { event, data } of events(response)) {
      expect(event).toBe('progress');
      seen.push({ status: data.status, step: data.progress.step, percent: data.progress.percent });
      if (seen.length === 1) await updateJobStatus(s.ctx.db, job.id, 'in_progress', { step: 'probing', percent: 12 });
      if (seen.length === 2) await updateJobStatus(s.ctx.db, job.id, 'done', { result: { processed_clips: [] }, step: 'storing', percent: 100 });
    }
    expect(seen).toEqual([
      { status: 'pending', step: null, percent: 0 },
      { status: 'in_progress', step: 'probing', percent: 12 },
      { status: 'done', step: 'storing', percent: 100 },
    ]);
  });

  it('answers 404 JSON for an unknown job', async () => {
    const r = await s.request('/api/v1/jobs/0b7f5a3e-2f41-4c36-9a51-6d1b8e2c9f00/events');
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/Job not found/);
  });
});
