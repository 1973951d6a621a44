import { z } from 'zod';
import type { AppContext } from '../../services/context.js';
import * as library from '../../services/library.js';
import { errorResponses, idParams, routineBody, routinePatchBody, routineSchema, routinesQuery } from '../schemas.js';
import type { TypedApp } from './types.js';

export function registerRoutineRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/v1/routines',
    { config: { auth: 'key' }, schema: { tags: ['routines'], body: routineBody, response: { 200: routineSchema, ...errorResponses } } },
    async (request) => library.createRoutine(ctx, request.body),
  );

  app.get(
    '/api/v1/routines',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['routines'],
        summary: 'Routines, newest first',
        querystring: routinesQuery,
        response: { 200: z.array(routineSchema), ...errorResponses },
      },
    },
    async (request) => library.listRoutines(ctx, request.query.limit, request.query.offset),
  );

  app.get(
    '/api/v1/routines/:id',
    { config: { auth: 'public' }, schema: { tags: ['routines'], params: idParams, response: { 200: routineSchema, ...errorResponses } } },
    async (request) => library.getRoutine(ctx, request.params.id),
  );

  const update = {
    config: { auth: 'key' as const },
    schema: {
      tags: ['routines'],
      summary: 'Rename, re-describe or reorder a routine (exercise_ids is the new complete order)',
      params: idParams,
      body: routinePatchBody,
      response: { 200: routineSchema, ...errorResponses },
    },
  };
  app.patch('/api/v1/routines/:id', update, async (request) => library.updateRoutine(ctx, request.params.id, request.body));
  app.put('/api/v1/routines/:id', update, async (request) => library.updateRoutine(ctx, request.params.id, request.body));

  app.delete(
    '/api/v1/routines/:id',
    { config: { auth: 'key' }, schema: { tags: ['routines'], params: idParams, response: { 200: z.object({ message: z.string() }), ...errorResponses } } },
    async (request) => {
      await library.deleteRoutine(ctx, request.params.id);
      return { message: 'Routine deleted successfully' };
    },
  );

  app.get(
    '/api/v1/stats',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['exercises'],
        response: {
          200: z.object({
            total_exercises: z.number().int(),
            avg_fitness_level: z.number().nullable(),
            avg_intensity: z.number().nullable(),
            unique_urls: z.number().int(),
            total_routines: z.number().int(),
            exercises_with_clips: z.number().int(),
            by_platform: z.record(z.string(), z.number()),
            by_category: z.record(z.string(), z.number()),
          }),
        },
      },
    },
    async () => library.getStats(ctx),
  );
}
