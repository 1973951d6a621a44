import { z } from 'zod';
import type { AppContext } from '../../services/context.js';
import * as library from '../../services/library.js';
import { findExerciseIds } from '../../services/search.js';
import { DEGRADED_HEADER, VECTOR_STORE_UNAVAILABLE, bulkBody, errorResponses, exercisePatchBody, exerciseSchema, exercisesQuery, filtersFromQuery, idParams, semanticSearchBody } from '../schemas.js';
import { searchRateLimit } from '../rate-limits.js';
import type { TypedApp } from './types.js';

export function registerExerciseRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/v1/exercises',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['exercises'],
        summary: 'List exercises: all from one source URL, or the newest (filters, sorting and paging optional)',
        querystring: exercisesQuery,
        response: { 200: z.array(exerciseSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.url) return library.getExercisesByUrl(ctx, q.url);
      const filters = filtersFromQuery(q);
      const page = await library.listExercises(ctx, filters, { limit: q.limit, offset: q.offset, sort: q.sort, order: q.order });
      return page.items;
    },
  );

  app.get(
    '/api/v1/exercises/:id',
    { config: { auth: 'public' }, schema: { tags: ['exercises'], params: idParams, response: { 200: exerciseSchema, ...errorResponses } } },
    async (request) => library.getExercise(ctx, request.params.id),
  );

  app.post(
    '/api/v1/exercises/bulk',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['exercises'],
        summary: 'Fetch many exercises in one query, in input order; unknown ids are skipped',
        body: bulkBody,
        response: { 200: z.array(exerciseSchema), ...errorResponses },
      },
    },
    async (request) => library.getExercisesByIds(ctx, request.body.exercise_ids),
  );

  app.patch(
    '/api/v1/exercises/:id',
    {
      config: { auth: 'key' },
      schema: {
        tags: ['exercises'],
        summary: 'Edit an exercise\'s metadata (re-embeds it)',
        params: idParams,
        body: exercisePatchBody,
        response: { 200: exerciseSchema, ...errorResponses },
      },
    },
    async (request) => library.updateExercise(ctx, request.params.id, request.body),
  );

  app.delete(
    '/api/v1/exercises/:id',
    {
      config: { auth: 'key' },
      schema: {
        tags: ['exercises'],
        summary: 'Delete an exercise with its vector, clip and thumbnail',
        params: idParams,
        response: { 200: z.object({ message: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      await library.deleteExercise(ctx, request.params.id);
      return { message: 'Exercise deleted successfully with cascade cleanup' };
    },
  );

  app.post(
    '/api/v1/exercises/semantic-search-ids',
    {
      ...searchRateLimit(app, ctx.config),
      config: { auth: 'public' },
      schema: {
        tags: ['search'],
        summary: 'Ids of the exercises best matching a natural-language query, best first',
        body: semanticSearchBody,
        response: { 200: z.object({ exercise_ids: z.array(z.string()), total_found: z.number().int() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { query, limit, filters } = request.body;
      const { ids, degraded } = await findExerciseIds(ctx, query, limit, filters);
      if (degraded) void reply.header(DEGRADED_HEADER, VECTOR_STORE_UNAVAILABLE);
      return { exercise_ids: ids, total_found: ids.length };
    },
  );
}
