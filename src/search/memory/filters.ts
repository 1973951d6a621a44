import { FILTER_KEYS, type FilterKey } from '../../domain/index.js';
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

type Test<K extends FilterKey> = (value: NonNullable<ExerciseFilters[K]>) => RowTest;
const all: RowTest = () => true;
const range =
  (field: 'fitness_level' | 'intensity' | 'duration'): Test<'fitness_level' | 'intensity' | 'duration'> =>
  (r) =>
  (row) =>
    inRange(row[field], r);
const oneOf =
  (field: 'category' | 'equipment' | 'platform' | 'force'): Test<'category' | 'equipment' | 'platform' | 'force'> =>
  (list) =>
  (row) =>
    anyOf(row[field], list);

/** Every filter key's meaning over a row: a key missing here does not compile (see domain/filters.ts). */
const TESTS: { [K in FilterKey]: Test<K> } = {
  name: (text) => {
    const name = foldAscii(text);
    return (row) => foldAscii(row.exercise_name).includes(name);
  },
  fitness_level: range('fitness_level'),
  intensity: range('intensity'),
  duration: range('duration'),
  category: oneOf('category'),
  muscles: (list) => {
    if (!list.length) return all;
    const muscles = new Set(list);
    return (row) => row.primary_muscles.some((m) => muscles.has(m)) || row.secondary_muscles.some((m) => muscles.has(m));
  },
  equipment: oneOf('equipment'),
  platform: oneOf('platform'),
  url: (url) => {
    if (!url) return all;
    const normalized = normalizeUrl(url).normalized;
    return (row) => row.normalized_url === normalized;
  },
  has_clip: (yes) => (row) => (row.video_path !== null) === yes,
  force: oneOf('force'),
};

/**
 * The row test for `filters`, or null when the database's answer could differ from ours: a name
 * filter outside ASCII depends on the server's locale, so it goes to the database path.
 */
export function compileRowTest(filters: ExerciseFilters): RowTest | null {
  if (filters.name && !ASCII_ONLY.test(filters.name)) return null;
  const tests = FILTER_KEYS.flatMap((key) => {
    const value = filters[key];
    return value === undefined ? [] : [(TESTS[key] as Test<FilterKey>)(value as never)];
  });
  return (row) => tests.every((test) => test(row));
}
