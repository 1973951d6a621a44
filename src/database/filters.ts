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

export function buildExerciseFilter(filters: ExerciseFilters, options: { alias?: string; firstParam?: number } = {}): SqlFragment {
  const a = options.alias ? `${options.alias}.` : '';
  const params: unknown[] = [];
  const first = options.firstParam ?? 1;
  const p = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const conditions: string[] = [];
  const range = (column: string, r: { min?: number; max?: number } | undefined) => {
    if (r?.min !== undefined) conditions.push(`${a}${column} >= ${p(r.min)}`);
    if (r?.max !== undefined) conditions.push(`${a}${column} <= ${p(r.max)}`);
  };

  if (filters.name) conditions.push(`${a}exercise_name ILIKE ${p(`%${escapeLike(filters.name)}%`)}`);
  range('fitness_level', filters.fitness_level);
  range('intensity', filters.intensity);
  range('duration', filters.duration);
  if (filters.category?.length) conditions.push(`${a}category = ANY(${p(filters.category)}::text[])`);
  if (filters.equipment?.length) conditions.push(`${a}equipment = ANY(${p(filters.equipment)}::text[])`);
  if (filters.platform?.length) conditions.push(`${a}platform = ANY(${p(filters.platform)}::text[])`);
  if (filters.muscles?.length) {
    const m = p(filters.muscles);
    conditions.push(`(${a}primary_muscles && ${m}::text[] OR ${a}secondary_muscles && ${m}::text[])`);
  }
  if (filters.url) conditions.push(`${a}normalized_url = ${p(normalizeUrl(filters.url).normalized)}`);
  if (filters.has_clip !== undefined) conditions.push(`${a}video_path IS ${filters.has_clip ? 'NOT ' : ''}NULL`);

  return { sql: conditions.length ? conditions.join(' AND ') : 'TRUE', params };
}
