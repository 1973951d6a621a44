import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { exercisesQuery, filtersBody, filtersFromQuery } from '../../src/api/schemas.js';
import { addFilterOptions, filtersFromOptions } from '../../src/cli/filters.js';
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

describe('the edges offer every filter the schema declares', () => {
  it('the API body takes every key, and nothing else', () => {
    for (const key of FILTER_KEYS) expect(filtersBody.safeParse({ [key]: sample(FILTER_FIELDS[key]) }).success, key).toBe(true);
    expect(filtersBody.safeParse({ colour: ['red'] }).success).toBe(false);
  });
  it('the listing query parameters give every key but the listing\'s own url', () => {
    const query = exercisesQuery.parse({
      name: 'curl', min_level: '2', max_level: '5', max_intensity: '7', min_duration: '5', max_duration: '90',
      category: 'strength', muscles: 'biceps,forearms', equipment: 'dumbbell', platform: 'youtube,web', has_clip: 'false', force: 'pull',
    });
    expect(filtersFromQuery(query)).toEqual({
      name: 'curl', fitness_level: { min: 2, max: 5 }, intensity: { max: 7 }, duration: { min: 5, max: 90 }, category: ['strength'],
      muscles: ['biceps', 'forearms'], equipment: ['dumbbell'], platform: ['youtube', 'web'], has_clip: false, force: ['pull'],
    });
    expect(Object.keys(filtersFromQuery(query)).sort()).toEqual(FILTER_KEYS.filter((k) => k !== 'url').sort());
    expect(filtersFromQuery(exercisesQuery.parse({}))).toEqual({});
    expect(exercisesQuery.safeParse({ force: 'sideways' }).success).toBe(false);
  });
  it('the CLI has an option for every key', () => {
    const command = addFilterOptions(new Command('search').exitOverride());
    command.parse(
      ['--name', 'curl', '--min-level', '2', '--max-intensity', '7', '--min-duration', '5', '--category', 'strength', '--muscles', 'biceps,forearms',
        '--equipment', 'dumbbell', '--platform', 'youtube', '--url', 'https://example.com/v.mp4', '--no-has-clip', '--force', 'pull,push'],
      { from: 'user' },
    );
    expect(filtersFromOptions(command.opts())).toEqual({
      name: 'curl', fitness_level: { min: 2 }, intensity: { max: 7 }, duration: { min: 5 }, category: ['strength'], muscles: ['biceps', 'forearms'],
      equipment: ['dumbbell'], platform: ['youtube'], url: 'https://example.com/v.mp4', has_clip: false, force: ['pull', 'push'],
    });
    expect(Object.keys(filtersFromOptions(command.opts())).sort()).toEqual([...FILTER_KEYS].sort());
    const none = addFilterOptions(new Command('search').exitOverride());
    none.parse([], { from: 'user' });
    expect(filtersFromOptions(none.opts())).toEqual({});
  });
});
