import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { level, MAX_NAME_LENGTH, name, PLATFORMS, seconds, tag } from '../domain/index.js';
export { filtersSchema } from '../domain/index.js';
import { EXERCISES_DEFAULT_LIMIT, EXERCISES_MAX_LIMIT } from '../limits.js';
import { SORT_FIELDS } from './types.js';

/**
 * Validation shared by every store operation. Stores validate their own input (not only the
 * API) so the CLI, the importer and the pipeline get the same typed errors naming the field.
 */
export const listOptionsSchema = z
  .object({
    sort: z.enum(SORT_FIELDS).default('created_at'),
    order: z.enum(['asc', 'desc']).optional(),
    limit: z.number().int().min(1).max(EXERCISES_MAX_LIMIT).default(EXERCISES_DEFAULT_LIMIT),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

export const routineInputSchema = z
  .object({
    name,
    description: z.string().max(5000, 'must be at most 5000 characters').nullish(),
    exercise_ids: z.array(z.string()).max(500, 'must hold at most 500 exercises'),
  })
  .strict();

export const routinePatchSchema = routineInputSchema.partial().strict();

/**
 * For modules not yet moved (search, and stores on other branches) until they import these from
 * errors.ts and domain/ like every other layer.
 */
export { parseInput } from '../errors.js';
export { isUuid } from '../domain/index.js';
