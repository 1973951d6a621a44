import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOfflineEmbedder, OFFLINE_DIMENSIONS, OFFLINE_MODEL } from '../../src/embeddings/offline.js';
import { buildExerciseChunk } from '../../src/language/chunk.js';
import { cosine } from '../../src/search/mmr.js';

const CATALOGUE = path.resolve(import.meta.dirname, '../../../shared/data/free-exercise-db/exercises.json');

const chest = buildExerciseChunk({
  exercise_name: 'Cable Crossover',
  category: 'strength',
  primary_muscles: ['chest'],
  secondary_muscles: ['shoulders'],
  equipment: 'cable',
  force: 'push',
  fitness_level: 5,
  how_to: 'Pull the handles together in front of your chest.',
});
const hamstrings = buildExerciseChunk({
  exercise_name: 'Lying Leg Curls',
  category: 'strength',
  primary_muscles: ['hamstrings'],
  equipment: 'machine',
  force: 'pull',
  fitness_level: 2,
  how_to: 'Curl your legs up as far as possible.',
});
const stretch = buildExerciseChunk({
  exercise_name: 'Seated Hamstring Stretch',
  category: 'stretching',
  primary_muscles: ['hamstrings'],
  fitness_level: 2,
  how_to: 'Reach for your toes and hold.',
});

describe('offline embedder', () => {
  const embedder = createOfflineEmbedder();

  it('identifies itself and needs no set-up', async () => {
    await embedder.init();
    expect(embedder.model).toBe(OFFLINE_MODEL);
    expect(embedder.dimensions).toBe(OFFLINE_DIMENSIONS);
  });

  it('returns unit-length, deterministic vectors in input order', async () => {
    const a = await embedder.embed([chest, hamstrings, '']);
    const b = await createOfflineEmbedder().embed([chest, hamstrings, '']);
    expect(a).toEqual(b);
    for (const v of a) {
      expect(v).toHaveLength(OFFLINE_DIMENSIONS);
      expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    }
    expect(a[0]).not.toEqual(a[1]);
  });

  it.each([
    ['pectoral strength', chest, hamstrings],
    ['hammies', hamstrings, chest],
    ['pulley work', chest, hamstrings],
    ['limber hamstrings', stretch, hamstrings],
    ['hamstring curls on a machine', hamstrings, stretch],
    ['hamstrings, not a stretch', hamstrings, stretch],
  ])('"%s" is closer to the matching exercise', async (query, near, far) => {
    const [q, n, f] = await Promise.all([embedder.embed([query], 'query'), embedder.embed([near]), embedder.embed([far])]);
    expect(cosine(q[0]!, n[0]!)).toBeGreaterThan(cosine(q[0]!, f[0]!));
  });

  it("lets a row's own category and equipment tags outrank words in its name", async () => {
    const clean = buildExerciseChunk({ exercise_name: 'Clean Deadlift', category: 'powerlifting', primary_muscles: ['hamstrings'], equipment: 'barbell' });
    const snatch = buildExerciseChunk({ exercise_name: 'Hang Snatch', category: 'olympic weightlifting', primary_muscles: ['hamstrings'], equipment: 'barbell' });
    const [q, c, s] = await embedder.embed(['olympic weightlifting', clean, snatch], 'query').then(async ([query]) => [query!, ...(await embedder.embed([clean, snatch]))]);
    expect(cosine(q!, s!)).toBeGreaterThan(cosine(q!, c!) + 0.2);
  });

  it('a negated concept points away from the rows that carry it', async () => {
    const [plain, negated] = await embedder.embed(['hamstring work', 'hamstring work without a machine'], 'query');
    const [row] = await embedder.embed([hamstrings]);
    expect(cosine(negated!, row!)).toBeLessThan(cosine(plain!, row!));
  });

  it('embeds the whole 873-exercise catalogue in one call, deterministically', async () => {
    const entries = JSON.parse(fs.readFileSync(CATALOGUE, 'utf8')) as {
      name: string;
      instructions: string[];
      primaryMuscles: string[];
      secondaryMuscles: string[];
      equipment: string | null;
      category: string;
    }[];
    const chunks = entries.map((e) =>
      buildExerciseChunk({
        exercise_name: e.name,
        how_to: e.instructions.join('\n'),
        primary_muscles: e.primaryMuscles,
        secondary_muscles: e.secondaryMuscles,
        equipment: e.equipment,
        category: e.category,
      }),
    );
    // Its speed is measured by `npm run bench` (search-latency), not asserted here.
    const first = await embedder.embed(chunks);
    const again = await embedder.embed(chunks);
    expect(first).toHaveLength(873);
    expect(again).toEqual(first);
    for (const v of first) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });
});
