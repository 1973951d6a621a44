import type { App } from '../../src/api/server.js';
import { buildServer } from '../../src/api/server.js';
import type { Backend } from './db.js';
import { createTestContext, type TestContext } from './context.js';

/** The real HTTP server on an ephemeral loopback port over a test context. */
export interface TestServer extends TestContext {
  app: App;
  url: string;
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; headers: Headers; body: any; text: string }>;
}

export async function startTestServer(backend: Backend, env: Record<string, string> = {}): Promise<TestServer> {
  const t = await createTestContext(backend, env);
  const app = await buildServer(t.ctx);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    ...t,
    app,
    url,
    async request(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined) headers.set('content-type', 'application/json');
      const response = await fetch(`${url}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: response.status, headers: response.headers, body, text };
    },
    async close() {
      await app.close();
      await t.close();
    },
  };
}
