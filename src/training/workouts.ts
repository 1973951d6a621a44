import { z } from 'zod';
import { isoTime, name } from '../domain/index.js';
import { MAX_NOTE_LENGTH, MAX_REPS, MAX_SET_SECONDS, TRAINING_DEFAULT_LIMIT, TRAINING_MAX_LIMIT } from '../limits.js';
import { exerciseId, GROUP_KINDS, storableText, weightKg } from './entries.js';

/** A workout and its logged sets, declared once: what readers see and what callers write. Pure. */
const uuidText = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID').transform((s) => s.toLowerCase());

export const workoutSetSchema = z
  .object({
    set_id: z.string(),
    set_number: z.number().int().describe('1-based order within the exercise'),
    reps: z.number().int().nullable(),
    weight_kg: z.number().nullable(),
    duration_seconds: z.number().int().nullable(),
    rpe: z.number().nullable().describe('effort rating, 1 to 10'),
    done: z.boolean(),
    updated_at: isoTime,
  })
  .describe('WorkoutSet');
export type WorkoutSet = z.infer<typeof workoutSetSchema>;

export const workoutExerciseSchema = z
  .object({
    workout_exercise_id: z.string(),
    exercise_id: z.string().nullable().describe('null once the exercise left the library'),
    exercise_name: z.string(),
    position: z.number().int(),
    rest_seconds: z.number().int().nullable(),
    group_label: z.string().nullable(),
    group_kind: z.enum(GROUP_KINDS).nullable(),
    skipped: z.boolean(),
    sets: z.array(workoutSetSchema),
  })
  .describe('WorkoutExercise');
export type WorkoutExercise = z.infer<typeof workoutExerciseSchema>;

export const workoutSchema = z
  .object({
    workout_id: z.string(),
    routine_id: z.string().nullable(),
    name: z.string(),
    note: z.string().nullable(),
    started_at: isoTime,
    finished_at: isoTime.nullable(),
    updated_at: isoTime,
    exercises: z.array(workoutExerciseSchema),
    current: z
      .object({ workout_exercise_id: z.string(), set_id: z.string().nullable() })
      .nullable()
      .describe('where to resume: the first set not done of the first exercise not skipped'),
  })
  .describe('Workout');
export type Workout = z.infer<typeof workoutSchema>;

export const workoutStartSchema = z
  .object({
    routine_id: uuidText.optional().describe('copy the routine entries, prefilled from the last time'),
    name: name.optional(),
    note: storableText(MAX_NOTE_LENGTH).nullable().optional(),
  })
  .strict();
export type WorkoutStart = z.input<typeof workoutStartSchema>;

export const workoutExerciseInputSchema = z
  .object({ exercise_id: exerciseId, position: z.number().int().min(0).optional(), sets: z.number().int().min(1).max(50).optional() })
  .strict();
export type WorkoutExerciseInput = z.input<typeof workoutExerciseInputSchema>;

export const workoutExercisePatchSchema = z
  .object({ skipped: z.boolean().optional(), rest_seconds: z.number().int().min(0).max(MAX_SET_SECONDS).nullable().optional() })
  .strict();

/** A set as written: the whole set (absent fields are cleared), so the last write of a set wins whole. */
export const setInputSchema = z
  .object({
    workout_exercise_id: uuidText.optional().describe('required for a new set'),
    reps: z.number().int('must be an integer').min(0, 'must not be negative').max(MAX_REPS, `must be at most ${MAX_REPS}`).nullable().optional(),
    weight_kg: weightKg.nullable().optional(),
    duration_seconds: z
      .number()
      .int('must be an integer')
      .min(0, 'must not be negative')
      .max(MAX_SET_SECONDS, `must be at most ${MAX_SET_SECONDS}`)
      .nullable()
      .optional(),
    rpe: z.number().min(1, 'must be between 1 and 10').max(10, 'must be between 1 and 10').multipleOf(0.5).nullable().optional(),
    done: z.boolean().default(false),
  })
  .strict();
export type SetInput = z.input<typeof setInputSchema>;

export const workoutListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(TRAINING_MAX_LIMIT).default(TRAINING_DEFAULT_LIMIT),
  offset: z.coerce.number().int().min(0).default(0),
});

export const workoutListItemSchema = z
  .object({
    workout_id: z.string(),
    routine_id: z.string().nullable(),
    name: z.string(),
    started_at: isoTime,
    finished_at: isoTime.nullable(),
    exercises: z.number().int(),
    sets_done: z.number().int(),
    volume_kg: z.number(),
  })
  .describe('WorkoutListItem');
export type WorkoutListItem = z.infer<typeof workoutListItemSchema>;

export const workoutSummarySchema = z
  .object({
    workout_id: z.string(),
    duration_seconds: z.number().int(),
    volume_kg: z.number(),
    sets_done: z.number().int(),
    exercises_done: z.number().int(),
    new_bests: z.array(
      z.object({
        exercise_id: z.string().nullable(),
        exercise_name: z.string(),
        records: z.array(z.enum(['best_weight_kg', 'best_e1rm_kg', 'most_reps'])),
        best_weight_kg: z.number().nullable(),
        best_e1rm_kg: z.number().nullable(),
        most_reps: z.number().int().nullable(),
      }),
    ),
  })
  .describe('WorkoutSummary');
export type WorkoutSummary = z.infer<typeof workoutSummarySchema>;

/** Where a workout resumes: the first set not done of the first exercise not skipped. */
export function resumePoint(exercises: readonly Pick<WorkoutExercise, 'workout_exercise_id' | 'skipped' | 'sets'>[]): Workout['current'] {
  for (const e of exercises) {
    if (e.skipped) continue;
    const open = e.sets.find((s) => !s.done);
    if (open) return { workout_exercise_id: e.workout_exercise_id, set_id: open.set_id };
    if (e.sets.length === 0) return { workout_exercise_id: e.workout_exercise_id, set_id: null };
  }
  return null;
}
