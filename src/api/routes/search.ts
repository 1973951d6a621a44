import { z } from 'zod';
import type { AppContext } from '../../services/context.js';
import { searchExercises } from '../../services/search.js';
import { getCollectionInfo, reindex } from '../../services/vectors.js';
import { generateStories } from '../../services/stories.js';
import { DEGRADED_HEADER, VECTOR_STORE_UNAVAILABLE, errorResponses, reindexBody, searchBody, searchResponse, storiesBody } from '../schemas.js';
import { searchRateLimit } from '../rate-limits.js';
import type { TypedApp } from './types.js';

export function registerSearchRoutes(app: TypedApp, ctx: AppContext): void {
  const limited = { config: { rateLimit: { max: ctx.config.rateLimitPerMinute, timeWindow: '1 minute' } } };

  app.post(
    '/api/v1/exercises/search',
    {
      ...searchRateLimit(app, ctx.config),
      config: { auth: 'public' },
      schema: {
        tags: ['search'],
        summary: 'Hybrid semantic + full-text search with filters, a score threshold and optional diverse selection',
        body: searchBody,
        response: { 200: searchResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const found = await searchExercises(ctx, b.query, {
        limit: b.limit,
        filters: b.filters,
        scoreThreshold: b.score_threshold,
        diverse: b.diverse,
        diversity: b.diversity,
      });
      if (found.degraded) void reply.header(DEGRADED_HEADER, VECTOR_STORE_UNAVAILABLE);
      return {
        results: found.results.map((r) => ({ score: r.score, exercise: r.exercise })),
        total_found: found.results.length,
        ranker: found.ranker,
        ...(found.noMatch ? { no_match: found.noMatch } : {}),
      };
    },
  );

  app.post(
    '/api/v1/stories/generate',
    {
      config: { auth: 'key', ...limited.config },
      schema: {
        tags: ['search'],
        summary: 'Turn a user\'s prompt into requirement paragraphs usable as search queries',
        body: storiesBody,
        response: { 200: z.object({ stories: z.array(z.string()), source: z.enum(['ai', 'offline']) }), ...errorResponses },
      },
    },
    async (request) => generateStories(ctx, request.body.user_prompt, request.body.story_count),
  );

  app.get(
    '/api/v1/collection',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['search'],
        summary: 'The vector index: name, vector count, dimension, distance, model, index type',
        response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
      },
    },
    async () => ({ ...(await getCollectionInfo(ctx)) }),
  );

  app.post(
    '/api/v1/reindex',
    {
      config: { auth: 'key' },
      schema: {
        tags: ['search'],
        summary: 'Embed every exercise that has no vector for the current model (resumable)',
        body: reindexBody,
        response: { 200: z.object({ embedded: z.number().int(), model: z.string(), reset: z.boolean() }), ...errorResponses },
      },
    },
    async () => reindex(ctx),
  );
}
