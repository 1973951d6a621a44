import { z } from 'zod';
import { MAX_ROUTINE_ENTRIES } from '../../limits.js';
import type { AppContext } from '../../services/context.js';
import * as workouts from '../../services/workouts.js';
import { exerciseHistorySchema, historyIndexSchema } from '../../training/history.js';
import {
  setInputSchema,
  workoutExerciseInputSchema,
  workoutExercisePatchSchema,
  workoutListItemSchema,
  workoutListQuerySchema,
  workoutSchema,
  workoutStartSchema,
  workoutSummarySchema,
} from '../../training/workouts.js';
import { errorResponses, idParams, text } from '../schemas.js';
import type { TypedApp } from './types.js';

const exerciseParams = idParams.extend({ workout_exercise_id: text().max(100) });
const setParams = idParams.extend({ set_id: text().max(100) });
const reorderBody = z.object({ workout_exercise_ids: z.array(text().max(100)).max(MAX_ROUTINE_ENTRIES) }).strict();
const ok = { 200: workoutSchema, ...errorResponses };

/** The workout log: its state lives here, so any device resumes at the same set. */
export function registerWorkoutRoutes(app: TypedApp, ctx: AppContext): void {
  const tags = ['workouts'];
  app.post(
    '/api/v1/workouts',
    { config: { auth: 'key' }, schema: { tags, summary: 'Start a workout, empty or from a routine', body: workoutStartSchema, response: { 201: workoutSchema, ...errorResponses } } },
    async (request, reply) => reply.code(201).send(await workouts.startWorkout(ctx, request.body)),
  );
  app.get(
    '/api/v1/workouts',
    { config: { auth: 'public' }, schema: { tags, summary: 'Workouts, newest first', querystring: workoutListQuerySchema, response: { 200: z.array(workoutListItemSchema), ...errorResponses } } },
    async (request) => workouts.listWorkouts(ctx, request.query.limit, request.query.offset),
  );
  app.get('/api/v1/workouts/:id', { config: { auth: 'public' }, schema: { tags, summary: 'A workout with its sets and where to resume', params: idParams, response: ok } }, async (request) =>
    workouts.getWorkout(ctx, request.params.id),
  );
  app.delete(
    '/api/v1/workouts/:id',
    { config: { auth: 'key' }, schema: { tags, params: idParams, response: { 200: z.object({ message: z.string() }), ...errorResponses } } },
    async (request) => {
      await workouts.deleteWorkout(ctx, request.params.id);
      return { message: 'Workout deleted successfully' };
    },
  );
  app.post(
    '/api/v1/workouts/:id/exercises',
    { config: { auth: 'key' }, schema: { tags, summary: 'Add an exercise during the workout', params: idParams, body: workoutExerciseInputSchema, response: ok } },
    async (request) => workouts.addWorkoutExercise(ctx, request.params.id, request.body),
  );
  app.patch(
    '/api/v1/workouts/:id/exercises/:workout_exercise_id',
    { config: { auth: 'key' }, schema: { tags, summary: 'Skip an exercise or change its rest', params: exerciseParams, body: workoutExercisePatchSchema, response: ok } },
    async (request) => workouts.updateWorkoutExercise(ctx, request.params.id, request.params.workout_exercise_id, request.body),
  );
  app.put(
    '/api/v1/workouts/:id/exercises/order',
    { config: { auth: 'key' }, schema: { tags, summary: 'Reorder the exercises', params: idParams, body: reorderBody, response: ok } },
    async (request) => workouts.reorderWorkoutExercises(ctx, request.params.id, request.body.workout_exercise_ids),
  );
  app.put(
    '/api/v1/workouts/:id/sets/:set_id',
    {
      config: { auth: 'key' }, schema: {
        tags,
        summary: 'Write one set whole (a new id adds a set); the last write of a set wins',
        params: setParams,
        body: setInputSchema,
        response: ok,
      },
    },
    async (request) => workouts.logSet(ctx, request.params.id, request.params.set_id, request.body),
  );
  app.delete('/api/v1/workouts/:id/sets/:set_id', { config: { auth: 'key' }, schema: { tags, params: setParams, response: ok } }, async (request) =>
    workouts.deleteSet(ctx, request.params.id, request.params.set_id),
  );
  app.post(
    '/api/v1/workouts/:id/finish',
    { config: { auth: 'key' }, schema: { tags, summary: 'Finish: duration, volume, sets, new bests', params: idParams, response: { 200: workoutSummarySchema, ...errorResponses } } },
    async (request) => workouts.finishWorkout(ctx, request.params.id),
  );
  app.get(
    '/api/v1/workouts/:id/summary',
    { config: { auth: 'public' }, schema: { tags, params: idParams, response: { 200: workoutSummarySchema, ...errorResponses } } },
    async (request) => workouts.summarizeWorkout(ctx, request.params.id),
  );
  app.get(
    '/api/v1/workouts/export.csv',
    { config: { auth: 'public' }, schema: { tags, summary: "Every done set as the CSV Strong exports", response: { 200: z.string(), ...errorResponses } } },
    async (_request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="workouts.csv"')
        .send(await workouts.exportStrongCsv(ctx)),
  );
  app.get(
    '/api/v1/history/exercises',
    { config: { auth: 'public' }, schema: { tags, summary: 'Exercises with logged sets, most recent first', response: { 200: historyIndexSchema, ...errorResponses } } },
    async () => workouts.exercisesDone(ctx),
  );
  app.get(
    '/api/v1/history/exercises/:id',
    { config: { auth: 'public' }, schema: { tags, summary: 'Every done set of an exercise, bests, Epley 1RM, records', params: idParams, response: { 200: exerciseHistorySchema, ...errorResponses } } },
    async (request) => workouts.exerciseHistory(ctx, request.params.id),
  );
}
