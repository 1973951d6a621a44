import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicRoutesIn } from './auth.js';

/**
 * Serves the web app built by Vite (`web/` -> `dist/web`): hashed files under /assets/ with a
 * year-long immutable cache, and the app shell (index.html, never cached) for the app's own
 * routes. `GET /` gives the shell only to browsers (Accept: text/html); API clients keep the
 * contract's JSON there. Nothing under /api/v1, /docs, /health, /metrics or /storage is touched.
 */
// The same path from src/api (tests, tsx) and dist/api (npm start): both sit two levels below the repo.
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** Client-side routes of the app; a deep link or a reload on one of them gets the shell. */
export const APP_ROUTES = [
  '/library',
  '/search',
  '/exercises/:id',
  '/process',
  '/routines',
  '/routines/:id',
  '/routines/:id/workout',
  '/stories',
  '/status',
];

/**
 * The app shell's Content-Security-Policy: everything from this origin only, no inline script
 * or style, no plugins, no framing. A stored value that slips past escaping still cannot run
 * script or send data elsewhere. `data:` images cover the shell's empty favicon.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function registerWebApp(app: FastifyInstance, dir = WEB_DIST): Promise<boolean> {
  const shellFile = path.join(dir, 'index.html');
  if (!fs.existsSync(shellFile)) {
    app.log.warn({ dir }, 'web app not built (npm run build:web): serving the API only');
    return false;
  }
  const shell = fs.readFileSync(shellFile);
  const sendShell = (reply: FastifyReply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('vary', 'accept')
      .header('content-security-policy', WEB_CSP)
      .send(shell);

  await app.register(async (assets) => {
    publicRoutesIn(assets);
    await assets.register(fastifyStatic, {
      root: path.join(dir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      // File names carry a content hash: a changed file is a new URL.
      maxAge: '365d',
      immutable: true,
    });
  });
  for (const url of APP_ROUTES) {
    app.get(url, { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => sendShell(reply));
  }
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || request.url.split('?')[0] !== '/') return;
    if (!(request.headers.accept ?? '').includes('text/html')) return;
    return sendShell(reply);
  });
  return true;
}
