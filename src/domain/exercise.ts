import { z } from 'zod';

/**
 * The exercise, declared once. `exerciseSchema` is the row as every reader sees it (store, API,
 * backup, search); the input, the patch, the column lists and the backup record are derived from
 * it, so a new column is added here and in a migration, nowhere else.
 */
export const PLATFORMS = ['youtube', 'instagram', 'tiktok', 'web', 'catalogue'] as const;
export type ExercisePlatform = (typeof PLATFORMS)[number];

export const isoTime = z.string().describe('ISO 8601 timestamp with timezone');

/** Field names and order follow the API contract (../shared/reference/api-contract.md), then the extras. */
export const exerciseSchema = z
  .object({
    id: z.string(),
    exercise_name: z.string(),
    video_path: z.string().nullable().describe('relative: the clip URL is "/" + video_path'),
    start_time: z.number().nullable(),
    end_time: z.number().nullable(),
    how_to: z.string().nullable(),
    benefits: z.string().nullable(),
    counteracts: z.string().nullable(),
    fitness_level: z.number().int().nullable(),
    rounds_reps: z.string().nullable(),
    intensity: z.number().int().nullable(),
    qdrant_id: z.string().nullable(),
    created_at: isoTime,
    url: z.string().nullable(),
    normalized_url: z.string(),
    carousel_index: z.number().int(),
    platform: z.enum(PLATFORMS),
    duration: z.number().nullable(),
    thumbnail_path: z.string().nullable(),
    category: z.string().nullable(),
    primary_muscles: z.array(z.string()),
    secondary_muscles: z.array(z.string()),
    equipment: z.string().nullable(),
    force: z.string().nullable(),
    mechanic: z.string().nullable(),
    job_id: z.string().nullable(),
    updated_at: isoTime,
  })
  .describe('Exercise');
export type Exercise = z.infer<typeof exerciseSchema>;

/** Every column in the contract's order. */
export const EXERCISE_COLUMNS = Object.keys(exerciseSchema.shape) as (keyof Exercise)[];

/** Set by the database, never by a caller: `duration` is a generated column, the times are stamps. */
export const GENERATED_FIELDS = { duration: true, created_at: true, updated_at: true } as const;

/**
 * The description of the movement: what a user may edit after the fact, what an analyzer finds
 * and what search indexes. The other fields belong to the source and the pipeline.
 */
export const EDITABLE_FIELDS = {
  exercise_name: true,
  how_to: true,
  benefits: true,
  counteracts: true,
  fitness_level: true,
  intensity: true,
  rounds_reps: true,
  category: true,
  primary_muscles: true,
  secondary_muscles: true,
  equipment: true,
  force: true,
  mechanic: true,
} as const;

type ExerciseDescription = Pick<Exercise, keyof typeof EDITABLE_FIELDS>;

/** Anything that carries a description, complete or not: a stored row, an input, an edited row. */
export type DescribedExercise = Pick<ExerciseDescription, 'exercise_name'> & {
  [K in Exclude<keyof ExerciseDescription, 'exercise_name'>]?: Readonly<ExerciseDescription[K]> | null;
};

/** The stored fields a caller writes, in insert order. */
export const WRITABLE_COLUMNS = EXERCISE_COLUMNS.filter(
  (c): c is Exclude<keyof Exercise, keyof typeof GENERATED_FIELDS> => !(c in GENERATED_FIELDS),
);

/** A row as a backup carries it: every stored column except the generated `duration`. */
export const exerciseRecordSchema = exerciseSchema.omit({ duration: true });
export type ExerciseRecord = z.infer<typeof exerciseRecordSchema>;
