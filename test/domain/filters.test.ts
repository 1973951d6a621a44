import { describe, expect, it } from 'vitest';
import { buildExerciseFilter } from '../../src/database/filters.js';
import type { Exercise } from '../../src/database/types.js';
import { FILTER_FIELDS, FILTER_KEYS, filtersSchema, type ExerciseFilters, type FilterField, type FilterKey } from '../../src/domain/filters.js';
import { compileRowTest } from '../../src/search/memory/filters.js';
import { toQdrantFilter } from '../../src/vectors/qdrant-filter.js';

/** A value of each kind that a row with no metadata (below) does not satisfy. */
function sample(field: FilterField): NonNullable<ExerciseFilters[FilterKey]> {
  switch (field.kind) {
    case 'text':
      return 'a';
    case 'range':
      return { min: 1 };
    case 'tags':
      return ['a'];
    case 'choice':
      return [field.values[0]!] as never;
    case 'url':
      return 'https://example.com/v.mp4';
    case 'flag':
      return true;
  }
}

const blank: Exercise = {
  id: '0b7c5a4e-9d2f-4c1e-8a3b-1f2e3d4c5b6a', exercise_name: '', video_path: null, start_time: null, end_time: null,
  how_to: null, benefits: null, counteracts: null, fitness_level: null, rounds_reps: null, intensity: null, qdrant_id: null,
  created_at: '2026-01-01T00:00:00Z', url: null, normalized_url: '', carousel_index: 1, platform: 'catalogue', duration: null,
  thumbnail_path: null, category: null, primary_muscles: [], secondary_muscles: [], equipment: null, force: null,
  mechanic: null, job_id: null, updated_at: '2026-01-01T00:00:00Z',
};

describe('every filter the schema declares is translated by every backend', () => {
  it.each(FILTER_KEYS)('%s', (key) => {
    const filters = { [key]: sample(FILTER_FIELDS[key]) } as ExerciseFilters;
    expect(filtersSchema.safeParse(filters).success).toBe(true);
    // SQL (relational listing, full text, pgvector)
    const sql = buildExerciseFilter(filters);
    expect(sql.sql).not.toBe('TRUE');
    // the in-memory scan
    expect(compileRowTest({})!(blank)).toBe(true);
    expect(compileRowTest(filters)!(blank)).toBe(false);
    // Qdrant
    expect(toQdrantFilter(filters, [])?.must.length).toBeGreaterThan(0);
  });
  it('refuses keys the schema does not declare', () => {
    expect(filtersSchema.safeParse({ colour: ['red'] }).success).toBe(false);
  });
});

describe('the force filter', () => {
  const push = { ...blank, force: 'push' };
  it.each([
    [['push'], push, true],
    [['pull', 'push'], push, true],
    [['pull'], push, false],
    [['pull'], blank, false],
  ] as const)('%j on force %s: %s', (force, row, expected) => {
    expect(compileRowTest({ force: [...force] })!(row)).toBe(expected);
  });
  it('is any of push, pull, static', () => {
    expect(filtersSchema.safeParse({ force: ['push', 'static'] }).success).toBe(true);
    expect(filtersSchema.safeParse({ force: ['sideways'] }).success).toBe(false);
    expect(filtersSchema.safeParse({ force: [] }).success).toBe(false);
  });
  it('means the same in SQL and in Qdrant', () => {
    expect(buildExerciseFilter({ force: ['pull'] }, { alias: 'e' })).toEqual({ sql: 'e.force = ANY($1::text[])', params: [['pull']] });
    expect(toQdrantFilter({ force: ['pull'] })).toEqual({ must: [{ key: 'force', match: { any: ['pull'] } }] });
  });
});
