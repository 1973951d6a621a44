import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { sendError } from './errors.js';

/**
 * Who may call a route when API_KEY is set, declared by each route in its own config
 * (`config: { auth: 'key' }`), next to its path and schema rather than in lists kept elsewhere:
 * - `key`: changes something (writes, processing, stories, reindex, cancel) or reveals what
 *   others submitted (the job list).
 * - `public`: reveals only what the library publishes (exercises, routines, searches, health,
 *   metrics, docs, clips, the web app), or is a job's status found by its unguessable id.
 * A route that declares nothing needs the key: forgetting fails closed, and the route test
 * names it.
 */
export type AuthPolicy = 'public' | 'key';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthPolicy;
  }
}

/** `Authorization: Bearer <key>`, the scheme in any case (RFC 9110: schemes are case-insensitive). */
export function bearerToken(header: string | undefined): string {
  const match = /^bearer[ \t]+(.+)$/i.exec(header ?? '');
  return match ? match[1]!.trim() : '';
}

function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Marks the routes a third-party plugin registers in `scope` (docs, static files) as public: they
 * take no route config of ours, and serve nothing of the library's that is not public anyway.
 */
export function publicRoutesIn(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: 'public' };
  });
}

export interface RoutePolicy {
  method: string;
  url: string;
  auth: AuthPolicy | undefined;
}

const registered = new WeakMap<FastifyInstance, RouteOptions[]>();

/**
 * Installs the key check (with `apiKey` set) and records every route registered after this
 * call, anywhere in the app, for `routePolicies`.
 */
export function installAuth(app: FastifyInstance, apiKey: string | undefined): void {
  const routes: RouteOptions[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  if (!apiKey) return;
  app.addHook('onRequest', async (request, reply) => {
    // A path no route matches answers 404 whatever the key; OPTIONS (CORS preflight) only asks
    // what a route allows and runs no handler of ours.
    if (request.is404 || request.method === 'OPTIONS' || request.routeOptions.config.auth === 'public') return;
    const token = bearerToken(request.headers.authorization);
    if (!token || !keyMatches(token, apiKey)) {
      void reply.header('www-authenticate', 'Bearer');
      sendError(request, reply, 401, 'Missing or invalid API key: send Authorization: Bearer <API_KEY>');
    }
  });
}

/** Every route the app registered, with the policy it declared (read once the app is ready). */
export function routePolicies(app: FastifyInstance): RoutePolicy[] {
  return (registered.get(app) ?? []).flatMap((route) =>
    [route.method].flat().map((method) => ({ method, url: route.url, auth: route.config?.auth })),
  );
}
