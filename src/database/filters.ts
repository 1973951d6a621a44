import { FILTER_KEYS, type FilterKey } from '../domain/index.js';
import { normalizeUrl } from '../urls/index.js';
import type { ExerciseFilters } from './types.js';

/**
 * Turns metadata filters into a SQL condition with numbered parameters. Pure: the relational
 * listing and the vector search both use it, so a filter means the same thing everywhere.
 */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Escapes LIKE wildcards so user text is matched literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

type Clause<K extends FilterKey> = (value: NonNullable<ExerciseFilters[K]>, column: (name: string) => string, param: (value: unknown) => string) => string[];

const range =
  (name: string): Clause<'fitness_level' | 'intensity' | 'duration'> =>
  (r, column, param) => [
    ...(r.min !== undefined ? [`${column(name)} >= ${param(r.min)}`] : []),
    ...(r.max !== undefined ? [`${column(name)} <= ${param(r.max)}`] : []),
  ];
const anyOf =
  (name: string): Clause<'category' | 'equipment' | 'platform' | 'force'> =>
  (list, column, param) => (list.length ? [`${column(name)} = ANY(${param(list)}::text[])`] : []);

/** Every filter key's SQL meaning: a key missing here does not compile (see domain/filters.ts). */
const CLAUSES: { [K in FilterKey]: Clause<K> } = {
  name: (text, column, param) => [`${column('exercise_name')} ILIKE ${param(`%${escapeLike(text)}%`)}`],
  fitness_level: range('fitness_level'),
  intensity: range('intensity'),
  duration: range('duration'),
  category: anyOf('category'),
  muscles: (list, column, param) => {
    if (!list.length) return [];
    const m = param(list);
    return [`(${column('primary_muscles')} && ${m}::text[] OR ${column('secondary_muscles')} && ${m}::text[])`];
  },
  equipment: anyOf('equipment'),
  platform: anyOf('platform'),
  url: (url, column, param) => (url ? [`${column('normalized_url')} = ${param(normalizeUrl(url).normalized)}`] : []),
  has_clip: (yes, column) => [`${column('video_path')} IS ${yes ? 'NOT ' : ''}NULL`],
  force: anyOf('force'),
};

export function buildExerciseFilter(filters: ExerciseFilters, options: { alias?: string; firstParam?: number } = {}): SqlFragment {
  const a = options.alias ? `${options.alias}.` : '';
  const params: unknown[] = [];
  const first = options.firstParam ?? 1;
  const param = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const column = (name: string) => `${a}${name}`;
  const conditions = FILTER_KEYS.flatMap((key) => {
    const value = filters[key];
    return value === undefined ? [] : (CLAUSES[key] as Clause<FilterKey>)(value as never, column, param);
  });
  return { sql: conditions.length ? conditions.join(' AND ') : 'TRUE', params };
}
