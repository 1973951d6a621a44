import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { Config } from '../config.js';

/**
 * One per-client budget for every search route: `SEARCH_RATE_LIMIT_PER_MINUTE` counted once,
 * so a client cannot double it by alternating routes. A route-level `config.rateLimit` would
 * not do: the plugin gives each route its own counter store (its `groupId` only shares a
 * counter in a shared store such as Redis), so the routes share one limiter hook instead.
 */
const searchLimiters = new WeakMap<FastifyInstance, onRequestAsyncHookHandler>();

export function searchRateLimit(app: FastifyInstance, config: Config): { onRequest: onRequestAsyncHookHandler } {
  let limiter = searchLimiters.get(app);
  if (!limiter) {
    limiter = app.rateLimit({ max: config.searchRateLimitPerMinute, timeWindow: '1 minute' });
    searchLimiters.set(app, limiter);
  }
  return { onRequest: limiter };
}
