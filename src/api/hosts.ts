import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { sendError } from './errors.js';

/**
 * DNS rebinding: a web page on attacker.example re-points its own name at 127.0.0.1 and then
 * talks to a keyless local instance as if it were same-origin. The browser still sends
 * `Host: attacker.example`, so without API_KEY only names we expect are served. An IP literal
 * can never be the result of rebinding (there is no name to re-point), so it is always served,
 * which keeps `http://192.168.1.5:8000` working for a LAN instance.
 */

/** The host name of a Host header, lower-cased, without port or IPv6 brackets ('' if malformed). */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  const plain = /^([^:[\]\s/@]+)(?::\d+)?$/.exec(value);
  return plain ? plain[1]!.replace(/\.$/, '') : '';
}

export function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  // HTTP/1.0 clients may omit it; browsers, the only rebinding vector, always send it.
  if (header === undefined) return true;
  if (allowed.includes('*')) return true;
  const name = hostName(header);
  if (!name) return false;
  if (isIP(name)) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.includes(name);
}

/** Refuses unexpected Host headers when no API_KEY guards the instance. */
export function registerHostCheck(app: FastifyInstance, config: Config): void {
  if (config.apiKey) return;
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.host;
    if (hostAllowed(header, config.allowedHosts)) return;
    sendError(request, reply, 421, `Host not allowed: ${String(header).slice(0, 100)} (add it to ALLOWED_HOSTS, or set API_KEY)`);
  });
}
