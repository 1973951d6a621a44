import { z } from 'zod';
import { MAX_ROUTINE_ENTRIES } from '../../limits.js';
import type { AppContext } from '../../services/context.js';
import * as entries from '../../services/routine-entries.js';
import { entryInputSchema, entryPatchSchema, routineEntrySchema } from '../../training/entries.js';
import { errorResponses, idParams, text } from '../schemas.js';
import type { TypedApp } from './types.js';

const entryParams = idParams.extend({ entry_id: text().max(100) });
const reorderBody = z.object({ entry_ids: z.array(text().max(100)).max(MAX_ROUTINE_ENTRIES).describe('the new complete order') }).strict();

/** A routine's entries: the targets behind its exercise_ids (which stay derived from them). */
export function registerRoutineEntryRoutes(app: TypedApp, ctx: AppContext): void {
  const tags = ['routines'];
  app.get(
    '/api/v1/routines/:id/entries',
    { config: { auth: 'public' }, schema: { tags, summary: 'The routine entries in order', params: idParams, response: { 200: z.array(routineEntrySchema), ...errorResponses } } },
    async (request) => entries.listRoutineEntries(ctx, request.params.id),
  );
  app.post(
    '/api/v1/routines/:id/entries',
    {
      config: { auth: 'key' }, schema: { tags, summary: 'Add an entry (at position, else at the end)', params: idParams, body: entryInputSchema, response: { 201: routineEntrySchema, ...errorResponses } },
    },
    async (request, reply) => reply.code(201).send(await entries.addRoutineEntry(ctx, request.params.id, request.body)),
  );
  app.patch(
    '/api/v1/routines/:id/entries/:entry_id',
    { config: { auth: 'key' }, schema: { tags, summary: 'Change one entry (null clears a field)', params: entryParams, body: entryPatchSchema, response: { 200: routineEntrySchema, ...errorResponses } } },
    async (request) => entries.updateRoutineEntry(ctx, request.params.id, request.params.entry_id, request.body),
  );
  app.delete(
    '/api/v1/routines/:id/entries/:entry_id',
    { config: { auth: 'key' }, schema: { tags, params: entryParams, response: { 200: z.object({ message: z.string() }), ...errorResponses } } },
    async (request) => {
      await entries.deleteRoutineEntry(ctx, request.params.id, request.params.entry_id);
      return { message: 'Entry deleted successfully' };
    },
  );
  app.put(
    '/api/v1/routines/:id/entries/order',
    { config: { auth: 'key' }, schema: { tags, summary: 'Reorder the entries', params: idParams, body: reorderBody, response: { 200: z.array(routineEntrySchema), ...errorResponses } } },
    async (request) => entries.reorderRoutineEntries(ctx, request.params.id, request.body.entry_ids),
  );
}
