import { z } from 'zod';
import { level, MAX_NAME_LENGTH, name, PLATFORMS, seconds, tag } from '../domain/index.js';
import { SORT_FIELDS } from './types.js';

/**
 * Validation shared by every store operation. Stores validate their own input (not only the
 * API) so the CLI, the importer and the pipeline get the same typed errors naming the field.
 */
const range = (bound: z.ZodNumber) =>
  z
    .object({ min: bound.optional(), max: bound.optional() })
    .strict()
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: 'min must not exceed max' });

const tagList = z.array(tag.transform((s) => s.toLowerCase())).min(1).max(50);

export const filtersSchema = z
  .object({
    name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
    fitness_level: range(level).optional(),
    intensity: range(level).optional(),
    duration: range(seconds).optional(),
    category: tagList.optional(),
    muscles: tagList.optional(),
    equipment: tagList.optional(),
    platform: z.array(z.enum(PLATFORMS)).min(1).optional(),
    url: z.string().min(1).max(2048).optional(),
    has_clip: z.boolean().optional(),
  })
  .strict();

export const listOptionsSchema = z
  .object({
    sort: z.enum(SORT_FIELDS).default('created_at'),
    order: z.enum(['asc', 'desc']).optional(),
    limit: z.number().int().min(1).max(1000).default(50),
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
