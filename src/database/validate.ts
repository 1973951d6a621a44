import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { PLATFORMS, SORT_FIELDS } from './types.js';

/**
 * Validation shared by every store operation. Stores validate their own input (not only the
 * API) so the CLI, the importer and the pipeline get the same typed errors naming the field.
 */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

export const MAX_NAME_LENGTH = 200;
export const MAX_TEXT_LENGTH = 20_000;
export const MAX_TAGS = 30;

const level = z.number().int('must be an integer').min(0, 'must be between 0 and 10').max(10, 'must be between 0 and 10');
const seconds = z.number().finite().min(0, 'must not be negative').max(86_400 * 7);
const text = z.string().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);
const tag = z.string().trim().min(1).max(100);
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`);

export const exerciseInputSchema = z
  .object({
    id: z.string().regex(UUID_RE, 'must be a UUID').optional(),
    url: z.string().max(2048).nullable(),
    normalized_url: z.string().min(1).max(2048).optional(),
    platform: z.enum(PLATFORMS).optional(),
    carousel_index: z.number().int().min(1, 'must be 1 or more').max(1000).optional(),
    exercise_name: name,
    video_path: z.string().max(1024).nullish(),
    thumbnail_path: z.string().max(1024).nullish(),
    start_time: seconds.nullish(),
    end_time: seconds.nullish(),
    how_to: text.nullish(),
    benefits: text.nullish(),
    counteracts: text.nullish(),
    fitness_level: level.nullish(),
    intensity: level.nullish(),
    rounds_reps: z.string().max(500).nullish(),
    qdrant_id: z.string().regex(UUID_RE, 'must be a UUID').nullish(),
    category: tag.nullish(),
    primary_muscles: z.array(tag).max(MAX_TAGS).optional(),
    secondary_muscles: z.array(tag).max(MAX_TAGS).optional(),
    equipment: tag.nullish(),
    force: tag.nullish(),
    mechanic: tag.nullish(),
    job_id: z.string().regex(UUID_RE, 'must be a UUID').nullish(),
  })
  .refine((v) => v.start_time == null || v.end_time == null || v.end_time > v.start_time, {
    path: ['end_time'],
    message: 'must be after start_time',
  });

export const exercisePatchSchema = z
  .object({
    exercise_name: name,
    how_to: text.nullable(),
    benefits: text.nullable(),
    counteracts: text.nullable(),
    fitness_level: level.nullable(),
    intensity: level.nullable(),
    rounds_reps: z.string().max(500).nullable(),
    category: tag.nullable(),
    primary_muscles: z.array(tag).max(MAX_TAGS),
    secondary_muscles: z.array(tag).max(MAX_TAGS),
    equipment: tag.nullable(),
    force: tag.nullable(),
    mechanic: tag.nullable(),
  })
  .partial()
  .strict();

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

/** Parses with a zod schema, turning the first issue into a ValidationError naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, fieldPrefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') field = [field, ...issue.keys].filter(Boolean).join('.');
  field = [fieldPrefix, field].filter(Boolean).join('.') || fieldPrefix || 'body';
  throw new ValidationError(field, issue.message);
}
