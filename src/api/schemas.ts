import { z } from 'zod';
import {
  EXERCISES_DEFAULT_LIMIT,
  EXERCISES_MAX_LIMIT,
  JOBS_DEFAULT_LIMIT,
  JOBS_MAX_LIMIT,
  LEVEL_MAX,
  LEVEL_MIN,
  MAX_BULK_IDS,
  MAX_QUERY_LENGTH,
  ROUTINES_DEFAULT_LIMIT,
  ROUTINES_MAX_LIMIT,
  SCORE_THRESHOLD_MAX,
  SCORE_THRESHOLD_MIN,
  SEARCH_DEFAULT_LIMIT,
  SEARCH_MAX_LIMIT,
} from '../limits.js';
import { EDITABLE_FIELDS, exerciseSchema, FILTER_FIELDS, FILTER_KEYS, filterShape, isoTime, JOB_STATUSES, MAX_NAME_LENGTH, PLATFORMS, PROGRESS_STEP_NAMES, type ExerciseFilters, type FilterField } from '../domain/index.js';
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
const level = z.number().int().min(LEVEL_MIN).max(LEVEL_MAX);

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
  status: z.enum(JOB_STATUSES),
  result: z.record(z.string(), z.unknown()).nullable(),
  job_id: z.string(),
  type: z.string(),
  error: z.string().nullable(),
  error_code: z.string().nullable().describe('stable code of the failure (cancelled, private_address, validation_error, processing_failed, internal...): map this, not the message'),
  progress: z.object({ step: z.enum(PROGRESS_STEP_NAMES).nullable(), percent: z.number() }),
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
  limit: z.coerce.number().int().min(1).max(ROUTINES_MAX_LIMIT).default(ROUTINES_DEFAULT_LIMIT),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

const csv = text()
  .max(2000)
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const levelQ = z.coerce.number().int().min(LEVEL_MIN).max(LEVEL_MAX);
const secondsQ = z.coerce.number().min(0);

/**
 * The filters as query parameters, derived from FILTER_FIELDS: lists comma-separated, a range as
 * min_<param> and max_<param>, a flag as true or false. `url` stays the listing's own parameter.
 */
function queryParams(field: FilterField, key: string): [string, z.ZodType][] {
  switch (field.kind) {
    case 'text':
      return [[key, text().max(MAX_NAME_LENGTH)]];
    case 'range': {
      const bound = field.scale === 'level' ? levelQ : secondsQ;
      return [[`min_${field.param}`, bound], [`max_${field.param}`, bound]];
    }
    case 'tags':
      return [[key, csv]];
    case 'choice':
      return [[key, csv.pipe(z.array(z.enum(field.values as [string, ...string[]])))]];
    case 'url':
      return [];
    case 'flag':
      return [[key, z.enum(['true', 'false']).transform((v) => v === 'true')]];
  }
}
const filterQueryShape = Object.fromEntries(
  FILTER_KEYS.flatMap((key) => queryParams(FILTER_FIELDS[key], key)).map(([name, schema]) => [name, schema.optional()]),
);

/** The filters a listing's query asks for (the parsed query of exercisesQuery). */
export function filtersFromQuery(query: Record<string, unknown>): ExerciseFilters {
  const filters: Record<string, unknown> = {};
  for (const key of FILTER_KEYS) {
    const field: FilterField = FILTER_FIELDS[key];
    if (field.kind === 'url') continue;
    if (field.kind === 'range') {
      const min = query[`min_${field.param}`];
      const max = query[`max_${field.param}`];
      if (min !== undefined || max !== undefined) filters[key] = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
      continue;
    }
    const value = query[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) filters[key] = value;
  }
  return filters as ExerciseFilters;
}

export const exercisesQuery = z.object({
  url: text().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(EXERCISES_MAX_LIMIT).default(EXERCISES_DEFAULT_LIMIT),
  offset: z.coerce.number().int().min(0).default(0),
  sort: z.enum(SORT_FIELDS).default('created_at'),
  order: z.enum(['asc', 'desc']).optional(),
  ...filterQueryShape,
}).strict();

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
/** The filters' body shape, derived from FILTER_FIELDS: the text rule and the types here, the domain's bounds in the store. */
function bodyField(field: FilterField): z.ZodType {
  switch (field.kind) {
    case 'text':
    case 'url':
      return text();
    case 'range':
      return range;
    case 'tags':
      return z.array(text());
    case 'choice':
      return z.array(z.enum(field.values as [string, ...string[]]));
    case 'flag':
      return z.boolean();
  }
}
export const filtersBody = z
  .object(filterShape((field) => bodyField(field).describe(field.about).optional()))
  .strict() as unknown as z.ZodType<ExerciseFilters, ExerciseFilters>;

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
    score_threshold: z.number().min(SCORE_THRESHOLD_MIN).max(SCORE_THRESHOLD_MAX).optional().describe('keep results whose relevance score is at least this (0-1)'),
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

export const storiesBody = z
  .object({
    user_prompt: text().trim().min(1).max(4000),
    story_count: z.number().int().min(1).max(10).default(5),
  })
  .strict();

/** Reindex takes no options: a body may be absent or `{}`, anything in it is refused, not ignored. */
export const reindexBody = z.object({}).strict().nullish();

export const jobsQuery = z
  .object({
    status: z.enum(JOB_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(JOBS_MAX_LIMIT).default(JOBS_DEFAULT_LIMIT),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

/** Set on search answers given by full text alone because the vector store is unavailable. */
export const DEGRADED_HEADER = 'x-search-degraded';
export const VECTOR_STORE_UNAVAILABLE = 'vector-store-unavailable';
