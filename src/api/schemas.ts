import { z } from 'zod';
import { JOBS_DEFAULT_LIMIT, JOBS_MAX_LIMIT, MAX_BULK_IDS, MAX_QUERY_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from '../limits.js';
import { EDITABLE_FIELDS, exerciseSchema, isoTime, PLATFORMS } from '../domain/index.js';
import { SORT_FIELDS } from '../services/library.js';

/**
 * One zod schema per request and response: it gives the TypeScript type, the 422 validation
 * error and the OpenAPI entry. Field names and order follow ../shared/reference/api-contract.md.
 */
export const errorSchema = z.object({ detail: z.string(), request_id: z.string().optional() }).describe('Error');
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  415: errorSchema,
  422: errorSchema,
  429: errorSchema,
  500: errorSchema,
  503: errorSchema,
};

/**
 * The one rule for every text a request carries (body fields, query strings, path parameters):
 * PostgreSQL refuses NUL bytes, and an unpaired UTF-16 surrogate has no UTF-8 form, so both are
 * a 422 naming the field here instead of a database error later.
 */
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const text = () => z.string().refine((s) => !UNSTORABLE_TEXT.test(s), 'must not contain NUL bytes or unpaired surrogates');

export { exerciseSchema };
const level = z.number().int().min(0).max(10);

export const routineSchema = z
  .object({
    routine_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    exercise_ids: z.array(z.string()),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .describe('Routine');

export const idParams = z.object({ id: text().max(100) });
export const jobIdParams = z.object({ job_id: text().max(100) });

const httpUrl = text()
  .trim()
  .min(1)
  .max(2048)
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/** Longest time a segment may name: MAX_VIDEO_SECONDS cannot exceed a day. */
const MAX_SEGMENT_SECONDS = 86_400;
export const MAX_EXPLICIT_SEGMENTS = 100;

export const explicitExerciseSchema = z
  .object({
    name: text().trim().min(1).max(200),
    start_time: z.number().min(0, 'must not be negative').max(MAX_SEGMENT_SECONDS),
    end_time: z.number().min(0, 'must not be negative').max(MAX_SEGMENT_SECONDS),
    carousel_index: z.number().int().min(1).max(1000).optional(),
    how_to: text().max(20_000).optional(),
    fitness_level: level.optional(),
    intensity: level.optional(),
    rounds_reps: text().max(500).optional(),
  })
  .refine((e) => e.end_time > e.start_time, { path: ['end_time'], message: 'must be after start_time' });

/**
 * Segments are checked before anything is queued: what can be known without the video (times
 * in order, distinct names per slide) is a 422 naming the segment, not a failed job later. A
 * segment past the video's end can only be known after probing; the job then fails naming it.
 */
const explicitExercises = z
  .array(explicitExerciseSchema)
  .min(1)
  .max(MAX_EXPLICIT_SEGMENTS, `must hold at most ${MAX_EXPLICIT_SEGMENTS} segments`)
  .superRefine((list, check) => {
    const seen = new Map<string, number>();
    list.forEach((e, i) => {
      const key = `${e.carousel_index ?? 1}:${e.name.toLocaleLowerCase()}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else check.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicates the name of segment ${first} ("${e.name}")` });
    });
  });

export const processBody = z
  .object({
    url: httpUrl,
    background: z.boolean().default(false),
    force: z.boolean().default(false).describe('re-process a URL that was already processed'),
    exercises: explicitExercises.optional().describe('skip analysis: cut these segments'),
  })
  .strict();

export const clipSchema = z.object({
  exercise_id: z.string(),
  exercise_name: z.string(),
  video_path: z.string().nullable(),
  segments_count: z.number().int(),
  total_duration: z.number(),
  segments: z.array(z.object({ start_time: z.number().nullable(), end_time: z.number().nullable() })),
});

export const processResponse = z.object({
  success: z.boolean(),
  processed_clips: z.array(clipSchema),
  total_clips: z.number().int(),
  processing_time: z.number(),
  temp_dir: z.null(),
  job_id: z.string().optional(),
  status: z.string().optional(),
  existing: z.boolean().optional().describe('true when the URL had already been processed and nothing was redone'),
  message: z.string().optional().describe('with 202: the job still runs; poll /api/v1/job-status/{job_id}'),
});

export const jobStatusResponse = z.object({
  status: z.enum(['pending', 'in_progress', 'done', 'failed']),
  result: z.record(z.string(), z.unknown()).nullable(),
  job_id: z.string(),
  type: z.string(),
  error: z.string().nullable(),
  progress: z.object({ step: z.string().nullable(), percent: z.number() }),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  cancel_requested: z.boolean(),
  url: z.string().nullable(),
  created_at: isoTime,
  updated_at: isoTime,
  started_at: isoTime.nullable(),
  finished_at: isoTime.nullable(),
});

export const routineBody = z
  .object({
    name: text(),
    description: text().nullable().optional(),
    exercise_ids: z.array(text()),
  })
  .strict();

export const routinePatchBody = z
  .object({
    name: text().optional(),
    description: text().nullable().optional(),
    exercise_ids: z.array(text()).optional().describe('the new complete order'),
  })
  .strict();

export const routinesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const csv = text()
  .max(2000)
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const levelQ = z.coerce.number().int().min(0).max(10);

export const exercisesQuery = z.object({
  url: text().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  sort: z.enum(SORT_FIELDS).default('created_at'),
  order: z.enum(['asc', 'desc']).optional(),
  name: text().max(200).optional(),
  category: csv.optional(),
  muscles: csv.optional(),
  equipment: csv.optional(),
  platform: csv.pipe(z.array(z.enum(PLATFORMS))).optional(),
  min_level: levelQ.optional(),
  max_level: levelQ.optional(),
  min_intensity: levelQ.optional(),
  max_intensity: levelQ.optional(),
});

export const bulkBody = z.object({ exercise_ids: z.array(text().max(100)).max(MAX_BULK_IDS) }).strict();

/** The same shape with every string (alone, nullable or in a list) held to text()'s rule. */
function storable<S extends z.ZodRawShape>(shape: S): S {
  const map = (t: z.core.$ZodType): z.core.$ZodType =>
    t instanceof z.ZodString ? text() : t instanceof z.ZodNullable ? z.nullable(map(t.unwrap())) : t instanceof z.ZodArray ? z.array(map(t.element)) : t;
  return Object.fromEntries(Object.entries(shape).map(([k, t]) => [k, map(t)])) as unknown as S;
}

// Only the text rule and the scales here: the store applies the domain's limits and names the field.
export const exercisePatchBody = z
  .object(storable(exerciseSchema.pick(EDITABLE_FIELDS).shape))
  .extend({ fitness_level: level.nullable(), intensity: level.nullable() })
  .partial()
  .strict();

const range = z.object({ min: z.number().optional(), max: z.number().optional() }).strict();
export const filtersBody = z
  .object({
    name: text().optional(),
    fitness_level: range.optional(),
    intensity: range.optional(),
    duration: range.optional(),
    category: z.array(text()).optional(),
    muscles: z.array(text()).optional(),
    equipment: z.array(text()).optional(),
    platform: z.array(z.enum(PLATFORMS)).optional(),
    url: text().optional(),
    has_clip: z.boolean().optional(),
  })
  .strict();

export const semanticSearchBody = z
  .object({
    query: text().max(MAX_QUERY_LENGTH),
    limit: z.number().int().min(1).max(SEARCH_MAX_LIMIT).default(SEARCH_DEFAULT_LIMIT),
    filters: filtersBody.optional(),
  })
  .strict();

export const searchBody = z
  .object({
    query: text().max(MAX_QUERY_LENGTH),
    limit: z.number().int().min(1).max(SEARCH_MAX_LIMIT).default(SEARCH_DEFAULT_LIMIT),
    score_threshold: z.number().min(0).max(1).optional().describe('keep results whose relevance score is at least this (0-1)'),
    filters: filtersBody.optional(),
    diverse: z.boolean().default(false).describe('pick different movements (MMR plus caps per video and per movement)'),
    diversity: z.number().min(0).max(1).optional(),
  })
  .strict();

export const searchResponse = z.object({
  results: z.array(z.object({ score: z.number().describe('relevance from 0 to 1 (README: what the score means)'), exercise: exerciseSchema })),
  total_found: z.number().int(),
  ranker: z.string(),
  no_match: z.string().optional().describe('set, with no results, when the query matches nothing meaningful'),
});

export const storiesBody = z.object({
  user_prompt: text().trim().min(1).max(4000),
  story_count: z.number().int().min(1).max(10).default(5),
});

export const jobsQuery = z.object({
  status: z.enum(['pending', 'in_progress', 'done', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(JOBS_MAX_LIMIT).default(JOBS_DEFAULT_LIMIT),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Set on search answers given by full text alone because the vector store is unavailable. */
export const DEGRADED_HEADER = 'x-search-degraded';
export const VECTOR_STORE_UNAVAILABLE = 'vector-store-unavailable';
