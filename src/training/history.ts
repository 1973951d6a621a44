import { z } from 'zod';
import { isoTime } from '../domain/index.js';

/** An exercise's history, declared once. Pure. */
export const historySetSchema = z.object({
  workout_id: z.string(),
  workout_name: z.string(),
  started_at: isoTime,
  set_number: z.number().int(),
  reps: z.number().int().nullable(),
  weight_kg: z.number().nullable(),
  duration_seconds: z.number().int().nullable(),
  rpe: z.number().nullable(),
  e1rm_kg: z.number().nullable().describe("Epley's estimated one-rep max of the set"),
});

export const exerciseHistorySchema = z
  .object({
    exercise_id: z.string(),
    exercise_name: z.string(),
    formula: z.literal('epley').describe('estimated 1RM = weight x (1 + reps / 30)'),
    best_weight_kg: z.number().nullable(),
    best_e1rm_kg: z.number().nullable(),
    most_reps: z.number().int().nullable(),
    records: z.array(z.object({ record: z.enum(['best_weight_kg', 'best_e1rm_kg', 'most_reps']), value: z.number(), workout_id: z.string(), started_at: isoTime })),
    sessions: z
      .array(z.object({ workout_id: z.string(), started_at: isoTime, best_weight_kg: z.number().nullable(), best_e1rm_kg: z.number().nullable(), volume_kg: z.number(), sets: z.number().int() }))
      .describe('one point per workout, oldest first: what a progress chart draws'),
    sets: z.array(historySetSchema).describe('every done set, newest first'),
  })
  .describe('ExerciseHistory');
export type ExerciseHistory = z.infer<typeof exerciseHistorySchema>;

export const historyIndexSchema = z
  .array(z.object({ exercise_id: z.string(), exercise_name: z.string(), workouts: z.number().int(), last_done: isoTime, best_weight_kg: z.number().nullable() }))
  .describe('ExercisesDone');
export type HistoryIndex = z.infer<typeof historyIndexSchema>;
