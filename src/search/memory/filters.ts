import type { Exercise, ExerciseFilters } from '../../database/types.js';
import { normalizeUrl } from '../../urls/normalize.js';

/**
 * buildExerciseFilter (src/database/filters.ts) as a test over in-memory rows, with the same
 * meaning clause by clause: SQL NULL never satisfies a comparison, lists are "any of", muscles
 * match primary OR secondary, the URL is compared in normalized form. Pure.
 */
export type RowTest = (row: Exercise) => boolean;

const ASCII_ONLY = /^[\x00-\x7f]*$/;
/** ILIKE folds case by the database's locale; for ASCII text every locale folds alike. */
const foldAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

const inRange = (value: number | null, r: { min?: number; max?: number } | undefined) =>
  !r || ((r.min === undefined || (value !== null && value >= r.min)) && (r.max === undefined || (value !== null && value <= r.max)));

const anyOf = (value: string | null, list: readonly string[] | undefined) => !list?.length || (value !== null && list.includes(value));

/**
 * The row test for `filters`, or null when the database's answer could differ from ours: a name
 * filter outside ASCII depends on the server's locale, so it goes to the database path.
 */
export function compileRowTest(filters: ExerciseFilters): RowTest | null {
  const name = filters.name ? foldAscii(filters.name) : undefined;
  if (filters.name && !ASCII_ONLY.test(filters.name)) return null;
  const url = filters.url ? normalizeUrl(filters.url).normalized : undefined;
  const muscles = filters.muscles?.length ? new Set(filters.muscles) : undefined;
  return (row) =>
    (name === undefined || foldAscii(row.exercise_name).includes(name)) &&
    inRange(row.fitness_level, filters.fitness_level) &&
    inRange(row.intensity, filters.intensity) &&
    inRange(row.duration, filters.duration) &&
    anyOf(row.category, filters.category) &&
    anyOf(row.equipment, filters.equipment) &&
    anyOf(row.platform, filters.platform) &&
    (!muscles || row.primary_muscles.some((m) => muscles.has(m)) || row.secondary_muscles.some((m) => muscles.has(m))) &&
    (url === undefined || row.normalized_url === url) &&
    (filters.has_clip === undefined || (row.video_path !== null) === filters.has_clip);
}
