import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  deleteExerciseIn,
  getExerciseById,
  getExercisesByIds,
  getExercisesByUrl,
  getStats,
  searchExercises,
  storeExercise,
  storeExercises,
  storeWorkoutRoutine,
  getWorkoutRoutine,
  updateExercise,
} from '../../src/database/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.js';
import { EXERCISES_DEFAULT_LIMIT } from '../../src/limits.js';
import { BACKENDS, openTestDb, truncateAll, type TestDb } from '../helpers/db.js';

const base = {
  url: 'https://example.com/videos/workout.mp4',
  exercise_name: 'Goblet Squat',
  start_time: 1.2345,
  end_time: 8.5,
  how_to: 'Hold a kettlebell at your chest and squat.',
  fitness_level: 3,
  intensity: 6,
  category: 'Strength',
  primary_muscles: ['Quadriceps'],
  secondary_muscles: ['glutes', 'hamstrings'],
  equipment: 'kettlebells',
};

describe.each(BACKENDS)('exercise store on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await truncateAll(t.db);
  });

  it('stores and reads back an exercise with the contract fields first, times to milliseconds', async () => {
    const stored = await storeExercise(t.db, base);
    expect(Object.keys(stored).slice(0, 13)).toEqual([
      'id', 'exercise_name', 'video_path', 'start_time', 'end_time', 'how_to', 'benefits', 'counteracts',
      'fitness_level', 'rounds_reps', 'intensity', 'qdrant_id', 'created_at',
    ]);
    expect(stored.start_time).toBe(1.235);
    expect(stored.end_time).toBe(8.5);
    expect(stored.duration).toBe(7.265);
    expect(stored.platform).toBe('web');
    expect(stored.category).toBe('strength');
    expect(stored.primary_muscles).toEqual(['quadriceps']);
    expect(stored.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await getExerciseById(t.db, stored.id)).toEqual(stored);
  });

  it('treats a non-UUID id as not found', async () => {
    expect(await getExerciseById(t.db, 'not-a-uuid')).toBeNull();
    expect(await getExerciseById(t.db, "1' OR '1'='1")).toBeNull();
    await expect(t.db.transaction((tx) => deleteExerciseIn(tx, '123'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateExercise(t.db, 'zzz', { intensity: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each([
    [{ fitness_level: 11 }, 'fitness_level'],
    [{ intensity: -1 }, 'intensity'],
    [{ intensity: 2.5 }, 'intensity'],
    [{ exercise_name: '' }, 'exercise_name'],
    [{ exercise_name: 'x'.repeat(201) }, 'exercise_name'],
    [{ start_time: 5, end_time: 4 }, 'end_time'],
    [{ start_time: -1 }, 'start_time'],
    [{ url: 'ftp://example.com/a.mp4' }, 'url'],
  ])('refuses %j with a validation error naming %s', async (patch, field) => {
    const error = await storeExercise(t.db, { ...base, ...patch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf('url' in patch ? Error : ValidationError);
    if (error instanceof ValidationError) expect(error.field).toBe(field);
    expect((await searchExercises(t.db)).total).toBe(0);
  });

  it('refuses duplicate processing of the same source, carousel item and exercise (case-folded)', async () => {
    await storeExercise(t.db, base);
    await expect(storeExercise(t.db, { ...base, exercise_name: 'GOBLET SQUAT' })).rejects.toBeInstanceOf(ConflictError);
    await storeExercise(t.db, { ...base, carousel_index: 2 });
    await storeExercise(t.db, { ...base, exercise_name: 'Push-up' });
    expect((await searchExercises(t.db)).total).toBe(3);
  });

  it('stores strings with quotes, wildcards, backslashes and SQL literally and matches them literally', async () => {
    const names = [`O'Brien "press"`, '100% effort_sprint', 'back\\slash', "'); DROP TABLE exercises; --"];
    for (const name of names) await storeExercise(t.db, { ...base, exercise_name: name });
    await storeExercise(t.db, { ...base, exercise_name: '100 effort sprint' });
    for (const name of names) {
      const page = await searchExercises(t.db, { name });
      expect(page.items.map((e) => e.exercise_name)).toEqual([name]);
    }
    expect((await searchExercises(t.db, { name: '%' })).items.map((e) => e.exercise_name)).toEqual(['100% effort_sprint']);
    expect((await searchExercises(t.db, { name: '_' })).total).toBe(1);
  });

  it('bulk-reads in one call keeping input order and skipping unknown or malformed ids', async () => {
    const a = await storeExercise(t.db, { ...base, exercise_name: 'A' });
    const b = await storeExercise(t.db, { ...base, exercise_name: 'B' });
    const c = await storeExercise(t.db, { ...base, exercise_name: 'C' });
    const got = await getExercisesByIds(t.db, [c.id, 'nope', a.id, '00000000-0000-4000-8000-000000000000', b.id.toUpperCase()]);
    expect(got.map((e) => e.exercise_name)).toEqual(['C', 'A', 'B']);
    expect(await getExercisesByIds(t.db, [])).toEqual([]);
  });

  it('finds exercises by any variant of their source URL', async () => {
    await storeExercise(t.db, { ...base, url: 'https://Example.com/videos/workout.mp4?utm_source=x#t=3' });
    await storeExercise(t.db, { ...base, url: 'https://example.com/other.mp4' });
    const found = await getExercisesByUrl(t.db, 'https://EXAMPLE.com/videos/workout.mp4');
    expect(found).toHaveLength(1);
    expect(found[0]!.url).toContain('utm_source');
    expect(await getExercisesByUrl(t.db, 'not a url at all')).toEqual([]);
  });

  it('filters, sorts and paginates', async () => {
    await storeExercises(t.db, [
      { ...base, exercise_name: 'Easy Stretch', fitness_level: 1, intensity: 1, category: 'stretching', equipment: null, primary_muscles: ['hamstrings'], secondary_muscles: [] },
      { ...base, exercise_name: 'Hard Deadlift', fitness_level: 8, intensity: 9, category: 'strength', equipment: 'barbell', primary_muscles: ['lower back'] },
      { ...base, exercise_name: 'Mid Row', fitness_level: 5, intensity: 5, category: 'strength', equipment: 'cable', primary_muscles: ['middle back'], secondary_muscles: ['biceps'] },
    ]);
    const names = async (...args: Parameters<typeof searchExercises> extends [unknown, ...infer R] ? R : never) =>
      (await searchExercises(t.db, ...args)).items.map((e) => e.exercise_name);
    expect(await names({ fitness_level: { min: 4 } }, { sort: 'fitness_level', order: 'asc' })).toEqual(['Mid Row', 'Hard Deadlift']);
    expect(await names({ intensity: { max: 5 } }, { sort: 'exercise_name' })).toEqual(['Easy Stretch', 'Mid Row']);
    expect(await names({ category: ['Stretching'] })).toEqual(['Easy Stretch']);
    expect(await names({ equipment: ['barbell', 'cable'] }, { sort: 'exercise_name' })).toEqual(['Hard Deadlift', 'Mid Row']);
    expect(await names({ muscles: ['biceps'] })).toEqual(['Mid Row']);
    expect(await names({ muscles: ['hamstrings'] }, { sort: 'exercise_name' })).toEqual(['Easy Stretch', 'Hard Deadlift']);
    expect(await names({ platform: ['youtube'] })).toEqual([]);
    expect(await names({ duration: { min: 7, max: 8 } })).toHaveLength(3);
    const page = await searchExercises(t.db, {}, { sort: 'exercise_name', limit: 2, offset: 2 });
    expect(page.total).toBe(3);
    expect(page.items.map((e) => e.exercise_name)).toEqual(['Mid Row']);
    const beyond = await searchExercises(t.db, {}, { limit: 2, offset: 10 });
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBe(3);
    // The store's page size is the API's and the CLI's (EXERCISES_DEFAULT_LIMIT), not one of its own.
    expect((await searchExercises(t.db)).limit).toBe(EXERCISES_DEFAULT_LIMIT);
    await expect(searchExercises(t.db, { fitness_level: { min: 5, max: 2 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(searchExercises(t.db, {}, { limit: 0 })).rejects.toThrow(/limit/);
    await expect(searchExercises(t.db, { colour: 'red' } as never)).rejects.toThrow(/filters.colour/);
  });

  it('leaves nothing behind when a multi-row write fails half-way', async () => {
    await expect(
      storeExercises(t.db, [
        { ...base, exercise_name: 'One' },
        { ...base, exercise_name: 'Two' },
        { ...base, exercise_name: 'one' },
      ]),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await searchExercises(t.db)).total).toBe(0);
    await expect(storeExercises(t.db, [{ ...base, exercise_name: 'Ok' }, { ...base, intensity: 99 }])).rejects.toThrow(/\[1\]\.intensity/);
    expect((await searchExercises(t.db)).total).toBe(0);
  });

  it('skips existing rows on an idempotent bulk store', async () => {
    const first = await storeExercises(t.db, [{ ...base }, { ...base, exercise_name: 'Lunge' }], { onConflict: 'skip' });
    const second = await storeExercises(t.db, [{ ...base }, { ...base, exercise_name: 'Lunge' }, { ...base, exercise_name: 'Row' }], {
      onConflict: 'skip',
    });
    expect(first).toHaveLength(2);
    expect(second.map((e) => e.exercise_name)).toEqual(['Row']);
  });

  it('updates metadata and keeps updated_at current', async () => {
    const stored = await storeExercise(t.db, base);
    await new Promise((r) => setTimeout(r, 5));
    const updated = await updateExercise(t.db, stored.id, { intensity: 9, exercise_name: 'Heavy Goblet Squat', equipment: 'Dumbbell' });
    expect(updated.intensity).toBe(9);
    expect(updated.equipment).toBe('dumbbell');
    expect(updated.exercise_name).toBe('Heavy Goblet Squat');
    expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(stored.updated_at));
    expect(updated.created_at).toBe(stored.created_at);
    await expect(updateExercise(t.db, stored.id, { intensity: 12 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('deletes the row and removes it from routines; its files are the caller\'s', async () => {
    const ex = await storeExercise(t.db, { ...base, video_path: 'storage/clips/abc.mp4' });
    const other = await storeExercise(t.db, { ...base, exercise_name: 'Other' });
    const routine = await storeWorkoutRoutine(t.db, { name: 'Legs', exercise_ids: [ex.id, other.id, ex.id] });
    const deleted = await t.db.transaction((tx) => deleteExerciseIn(tx, ex.id));
    expect(deleted.video_path).toBe('storage/clips/abc.mp4');
    expect(await getExerciseById(t.db, ex.id)).toBeNull();
    const after = await getWorkoutRoutine(t.db, routine.routine_id);
    expect(after!.exercise_ids).toEqual([other.id]);
    expect(Date.parse(after!.updated_at)).toBeGreaterThanOrEqual(Date.parse(routine.updated_at));
    await expect(t.db.transaction((tx) => deleteExerciseIn(tx, ex.id))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('computes stats in SQL over all rows', async () => {
    expect(await getStats(t.db)).toMatchObject({ total_exercises: 0, avg_fitness_level: null, avg_intensity: null, unique_urls: 0 });
    await storeExercises(t.db, [
      { ...base, fitness_level: 2, intensity: 4 },
      { ...base, exercise_name: 'B', fitness_level: 5, intensity: 5 },
      { ...base, exercise_name: 'C', url: 'https://youtu.be/dQw4w9WgXcQ', fitness_level: null, intensity: 9 },
    ]);
    const stats = await getStats(t.db);
    expect(stats).toMatchObject({ total_exercises: 3, avg_fitness_level: 3.5, avg_intensity: 6, unique_urls: 2 });
    expect(stats.by_platform).toEqual({ web: 2, youtube: 1 });
  });
});
