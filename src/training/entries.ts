import { z } from 'zod';
import { isUuid } from '../domain/index.js';
import { MAX_GROUP_LABEL_LENGTH, MAX_NOTE_LENGTH, MAX_REPS, MAX_SET_SECONDS, MAX_SETS, MAX_WEIGHT_KG } from '../limits.js';

/**
 * A routine entry, declared once: the row every reader sees, and the values a caller writes
 * (create and patch derive from them). Pure: zod and the limits only.
 */
export const GROUP_KINDS = ['superset', 'circuit'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

// PostgreSQL refuses NUL bytes: a 422 naming the field instead of a driver error.
export const storableText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL bytes');

const count = (max: number) => z.number().int('must be an integer').min(0, 'must not be negative').max(max, `must be at most ${max}`);
const positive = (max: number) => z.number().int('must be an integer').min(1, 'must be at least 1').max(max, `must be at most ${max}`);
export const weightKg = z.number().finite().min(0, 'must not be negative').max(MAX_WEIGHT_KG, `must be at most ${MAX_WEIGHT_KG}`);
export const exerciseId = z.string().refine(isUuid, 'must be a UUID').transform((s) => s.toLowerCase());

export const routineEntrySchema = z
  .object({
    entry_id: z.string(),
    exercise_id: z.string(),
    position: z.number().int().describe('0-based place in the routine'),
    target_sets: z.number().int().nullable(),
    reps_min: z.number().int().nullable().describe('reps, or the low end of a range'),
    reps_max: z.number().int().nullable().describe('the high end of a range; equal to reps_min for a plain number'),
    duration_seconds: z.number().int().nullable().describe('a timed set instead of reps'),
    weight_kg: z.number().nullable(),
    rest_seconds: z.number().int().nullable().describe('rest after this entry'),
    note: z.string().nullable(),
    group_label: z.string().nullable().describe('entries with the same label form one superset or circuit'),
    group_kind: z.enum(GROUP_KINDS).nullable(),
  })
  .describe('RoutineEntry');
export type RoutineEntry = z.infer<typeof routineEntrySchema>;

/** The fields a caller sets, each optional and nullable (null clears it). */
const targetFields = {
  target_sets: positive(MAX_SETS).nullable().optional(),
  reps_min: count(MAX_REPS).nullable().optional(),
  reps_max: count(MAX_REPS).nullable().optional(),
  duration_seconds: positive(MAX_SET_SECONDS).nullable().optional(),
  weight_kg: weightKg.nullable().optional(),
  rest_seconds: count(MAX_SET_SECONDS).nullable().optional(),
  note: storableText(MAX_NOTE_LENGTH).nullable().optional(),
  group_label: storableText(MAX_GROUP_LABEL_LENGTH).trim().min(1, 'must not be empty').nullable().optional(),
  group_kind: z.enum(GROUP_KINDS).nullable().optional(),
};

export const entryInputSchema = z
  .object({ exercise_id: exerciseId, ...targetFields, position: z.number().int().min(0).optional().describe('where to insert; the end when absent') })
  .strict();
export type EntryInput = z.input<typeof entryInputSchema>;

export const entryPatchSchema = z.object({ exercise_id: exerciseId.optional(), ...targetFields }).strict();
export type EntryPatch = z.input<typeof entryPatchSchema>;

export type EntryValues = Omit<RoutineEntry, 'entry_id' | 'position'>;

/**
 * The rules across fields, checked on the entry as it will be stored (after a patch is merged):
 * returns the field at fault and why, or null. A label without a kind is a superset.
 */
export function entryRuleBreak(v: EntryValues): { field: string; message: string } | null {
  if (v.reps_max !== null && v.reps_min === null) return { field: 'reps_min', message: 'is required with reps_max' };
  if (v.reps_max !== null && v.reps_min !== null && v.reps_max < v.reps_min) {
    return { field: 'reps_max', message: 'must not be below reps_min' };
  }
  if (v.reps_min !== null && v.duration_seconds !== null) {
    return { field: 'duration_seconds', message: 'give reps or a duration, not both' };
  }
  return null;
}

const EMPTY_ENTRY: Omit<EntryValues, 'exercise_id'> = {
  target_sets: null,
  reps_min: null,
  reps_max: null,
  duration_seconds: null,
  weight_kg: null,
  rest_seconds: null,
  note: null,
  group_label: null,
  group_kind: null,
};

/**
 * The entry a patch leaves (a new entry patches an empty one). Reps are one unit: reps_min alone
 * sets a plain number; reps clear a duration and a duration clears reps unless both are given
 * (then refused); a label alone makes a superset; no label, no group. Returns the values or the
 * field at fault.
 */
export function mergeEntry(
  base: EntryValues | { exercise_id: string },
  patch: z.output<typeof entryPatchSchema>,
): EntryValues | { field: string; message: string } {
  const given = <K extends keyof typeof patch>(k: K) => Object.prototype.hasOwnProperty.call(patch, k) && patch[k] !== undefined;
  const v: EntryValues = { ...EMPTY_ENTRY, ...base };
  for (const key of Object.keys(EMPTY_ENTRY) as (keyof typeof EMPTY_ENTRY)[]) {
    if (given(key)) (v as Record<string, unknown>)[key] = patch[key];
  }
  if (patch.exercise_id) v.exercise_id = patch.exercise_id;
  if (given('reps_min') && !given('reps_max')) v.reps_max = v.reps_min;
  if (given('reps_min') && v.reps_min !== null && !given('duration_seconds')) v.duration_seconds = null;
  if (given('duration_seconds') && v.duration_seconds !== null && !given('reps_min')) {
    v.reps_min = null;
    v.reps_max = null;
  }
  if (given('group_kind') && patch.group_kind !== null && v.group_label === null) {
    return { field: 'group_label', message: 'is required with group_kind' };
  }
  if (v.group_label === null) v.group_kind = null;
  else if (v.group_kind === null) v.group_kind = 'superset';
  return entryRuleBreak(v) ?? v;
}
