import { z } from 'zod';
import { LEVEL_MAX, LEVEL_MIN, MAX_MEDIA_SECONDS } from '../limits.js';
import { exerciseSchema, EDITABLE_FIELDS, GENERATED_FIELDS } from './exercise.js';

/**
 * The rules every write of an exercise obeys, whoever writes it (API, CLI, importer, pipeline):
 * the row's fields narrowed by limits, with the messages the 422 answers carry.
 */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

export const MAX_NAME_LENGTH = 200;
const MAX_TEXT_LENGTH = 20_000;
const MAX_TAGS = 30;

const uuid = z.string().regex(UUID_RE, 'must be a UUID');
const levelMessage = `must be between ${LEVEL_MIN} and ${LEVEL_MAX}`;
export const level = z.number().int('must be an integer').min(LEVEL_MIN, levelMessage).max(LEVEL_MAX, levelMessage);
export const seconds = z.number().finite().min(0, 'must not be negative').max(MAX_MEDIA_SECONDS);
const text = z.string().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);
export const tag = z.string().trim().min(1).max(100);
export const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`);
const filePath = z.string().max(1024);
const tags = z.array(tag).max(MAX_TAGS);

const writable = exerciseSchema.omit(GENERATED_FIELDS).extend({
  id: uuid,
  url: z.string().max(2048).nullable(),
  normalized_url: z.string().min(1).max(2048),
  carousel_index: z.number().int().min(1, 'must be 1 or more').max(1000),
  exercise_name: name,
  video_path: filePath.nullable(),
  thumbnail_path: filePath.nullable(),
  start_time: seconds.nullable(),
  end_time: seconds.nullable(),
  how_to: text.nullable(),
  benefits: text.nullable(),
  counteracts: text.nullable(),
  fitness_level: level.nullable(),
  intensity: level.nullable(),
  rounds_reps: z.string().max(500).nullable(),
  qdrant_id: uuid.nullable(),
  category: tag.nullable(),
  primary_muscles: tags,
  secondary_muscles: tags,
  equipment: tag.nullable(),
  force: tag.nullable(),
  mechanic: tag.nullable(),
  job_id: uuid.nullable(),
});

/**
 * What a caller gives to create an exercise: a URL and a name, the rest optional (stored as
 * null). `normalized_url` is derived from `url` when omitted; catalogue rows without a URL give it.
 */
export const exerciseInputSchema = writable
  .partial()
  .required({ url: true, exercise_name: true })
  .refine((v) => v.start_time == null || v.end_time == null || v.end_time > v.start_time, {
    path: ['end_time'],
    message: 'must be after start_time',
  });
export type ExerciseInput = z.input<typeof exerciseInputSchema>;

export const exercisePatchSchema = writable.pick(EDITABLE_FIELDS).partial().strict();
export type ExercisePatch = z.input<typeof exercisePatchSchema>;
