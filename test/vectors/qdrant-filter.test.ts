import { describe, expect, it } from 'vitest';
import type { Exercise, ExerciseFilters } from '../../src/database/types.js';
import { exercisePayload, PAYLOAD_INDEXES, toQdrantFilter, type QdrantFilter } from '../../src/vectors/qdrant-filter.js';
import { backoffSeconds } from '../../src/vectors/relay.js';

const ID = '0b7c5a4e-9d2f-4c1e-8a3b-1f2e3d4c5b6a';

describe('toQdrantFilter', () => {
  const cases: [string, ExerciseFilters, string[] | undefined, QdrantFilter | undefined][] = [
    ['no filter', {}, undefined, undefined],
    ['level range both ends', { fitness_level: { min: 2, max: 5 } }, undefined, { must: [{ key: 'level', range: { gte: 2, lte: 5 } }] }],
    ['intensity upper bound only', { intensity: { max: 4 } }, undefined, { must: [{ key: 'intensity', range: { lte: 4 } }] }],
    ['duration lower bound only', { duration: { min: 10 } }, undefined, { must: [{ key: 'duration', range: { gte: 10 } }] }],
    ['an empty range is no condition', { duration: {} }, undefined, undefined],
    ['category any of', { category: ['strength', 'stretching'] }, undefined, { must: [{ key: 'category', match: { any: ['strength', 'stretching'] } }] }],
    ['equipment any of', { equipment: ['barbell'] }, undefined, { must: [{ key: 'equipment', match: { any: ['barbell'] } }] }],
    ['muscles: one array for primary and secondary', { muscles: ['chest'] }, undefined, { must: [{ key: 'muscles', match: { any: ['chest'] } }] }],
    ['platform', { platform: ['youtube'] }, undefined, { must: [{ key: 'platform', match: { any: ['youtube'] } }] }],
    [
      'source by normalized URL',
      { url: 'https://youtu.be/abc123XYZ_0?t=5' },
      undefined,
      { must: [{ key: 'source', match: { value: 'https://www.youtube.com/watch?v=abc123XYZ_0' } }] },
    ],
    ['has clip', { has_clip: false }, undefined, { must: [{ key: 'has_clip', match: { value: false } }] }],
    ['name becomes the matching ids', { name: 'squat' }, [ID], { must: [{ has_id: [ID] }] }],
    ['a name nothing matches matches no point', { name: 'zzz' }, [], { must: [{ has_id: [] }] }],
    [
      'several conditions all apply',
      { category: ['strength'], fitness_level: { max: 3 }, muscles: ['hamstrings', 'glutes'] },
      undefined,
      {
        must: [
          { key: 'level', range: { lte: 3 } },
          { key: 'category', match: { any: ['strength'] } },
          { key: 'muscles', match: { any: ['hamstrings', 'glutes'] } },
        ],
      },
    ],
  ];
  it.each(cases)('%s', (_name, filters, ids, expected) => {
    expect(toQdrantFilter(filters, ids)).toEqual(expected);
  });
});

describe('exercisePayload', () => {
  const row: Pick<Exercise, Parameters<typeof exercisePayload>[0] extends infer R ? keyof R : never> = {
    category: 'strength',
    fitness_level: 5,
    intensity: null,
    duration: 12.5,
    equipment: null,
    force: null,
    primary_muscles: ['chest', 'triceps'],
    secondary_muscles: ['triceps', 'shoulders'],
    normalized_url: 'catalogue://free-exercise-db/Push_Up',
    platform: 'catalogue',
    video_path: null,
  };
  it('holds every filter field, omits nulls, merges muscles without duplicates', () => {
    expect(exercisePayload(row, 'offline:v1')).toEqual({
      category: 'strength',
      level: 5,
      duration: 12.5,
      muscles: ['chest', 'triceps', 'shoulders'],
      source: 'catalogue://free-exercise-db/Push_Up',
      platform: 'catalogue',
      has_clip: false,
      model: 'offline:v1',
    });
  });
  it('has a payload index for every field a filter uses', () => {
    const used = new Set<string>();
    const all: ExerciseFilters = {
      fitness_level: { min: 1 },
      intensity: { min: 1 },
      duration: { min: 1 },
      category: ['a'],
      equipment: ['a'],
      muscles: ['a'],
      platform: ['web'],
      url: 'https://example.com/v.mp4',
      has_clip: true,
    };
    for (const c of toQdrantFilter(all)!.must) if ('key' in c) used.add(c.key);
    expect(used.size).toBe(9);
    for (const key of used) expect(PAYLOAD_INDEXES[key]).toBeDefined();
  });
});

describe('backoffSeconds', () => {
  it.each([
    [0, 0, 0.25],
    [0, 1, 0.5],
    [1, 1, 1],
    [3, 1, 4],
    [20, 1, 60],
    [20, 0, 30],
  ])('attempt %i with jitter %f waits %f s', (attempts, random, expected) => {
    expect(backoffSeconds(attempts, random)).toBeCloseTo(expected);
  });
});
