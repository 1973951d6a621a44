import { describe, expect, it } from 'vitest';
import { buildExerciseChunk } from '../../src/language/chunk.js';
import { searchDocumentParts } from '../../src/language/document.js';
import { buildTsQuery } from '../../src/search/fulltext.js';
import { fuseRankings } from '../../src/search/fusion.js';
import { cosine, selectDiverse } from '../../src/search/mmr.js';
import { stem, tokenize } from '../../src/language/text.js';
import { conceptWeights, expansionWords } from '../../src/language/query.js';
import { movementPattern, vocabularyConflicts } from '../../src/language/vocabulary.js';

describe('buildExerciseChunk', () => {
  it.each([
    [
      'full row',
      {
        exercise_name: ' Goblet  Squat ',
        how_to: 'Hold a kettlebell.\nSquat down.',
        benefits: 'Stronger legs',
        counteracts: 'Sitting',
        rounds_reps: '3 x 10',
        fitness_level: 2,
        intensity: 6,
        category: 'strength',
        primary_muscles: ['quadriceps'],
        secondary_muscles: ['glutes', 'hamstrings'],
        equipment: 'kettlebells',
        force: 'push',
        mechanic: 'compound',
      },
      [
        'Exercise: Goblet Squat',
        'Category: strength',
        'Level: beginner (2/10)',
        'Intensity: moderate (6/10)',
        'Primary muscles: quadriceps',
        'Secondary muscles: glutes, hamstrings',
        'Equipment: kettlebells',
        'Force: push',
        'Mechanic: compound',
        'How to: Hold a kettlebell. Squat down.',
        'Benefits: Stronger legs',
        'Counteracts: Sitting',
        'Reps: 3 x 10',
      ].join('\n'),
    ],
    ['name only: equipment reads none', { exercise_name: 'Plank' }, 'Exercise: Plank\nEquipment: none'],
    [
      'advanced and high intensity',
      { exercise_name: 'Snatch', fitness_level: 8, intensity: 9, equipment: 'barbell' },
      'Exercise: Snatch\nLevel: advanced (8/10)\nIntensity: high (9/10)\nEquipment: barbell',
    ],
    [
      'level 0 and empty lists',
      { exercise_name: 'Breathing', fitness_level: 0, intensity: 0, primary_muscles: [], secondary_muscles: [] },
      'Exercise: Breathing\nLevel: beginner (0/10)\nIntensity: low (0/10)\nEquipment: none',
    ],
  ])('%s', (_label, row, expected) => {
    expect(buildExerciseChunk(row)).toBe(expected);
  });

  it('clips very long text at a word boundary', () => {
    const chunk = buildExerciseChunk({ exercise_name: 'X', how_to: 'word '.repeat(1000) });
    const line = chunk.split('\n').find((l) => l.startsWith('How to:'))!;
    expect(line.length).toBeLessThanOrEqual('How to: '.length + 2001);
    expect(line.endsWith('word…')).toBe(true);
  });
});

describe('text', () => {
  it.each([
    ['curls', 'curl'],
    ['curling', 'curl'],
    ['squatting', 'squat'],
    ['stretches', 'stretch'],
    ['raises', stem('raise')],
    ['calves', 'calf'],
    ['thighs', 'thigh'],
    ['press', 'press'],
    ['lunges', stem('lunge')],
    ['shoulders', 'shoulder'],
  ])('stem(%s) = %s', (word, expected) => {
    expect(stem(word)).toBe(expected);
  });

  it('tokenizes on punctuation and drops possessives', () => {
    expect(tokenize("Farmer's push-up, E-Z bar!")).toEqual(['farmer', 'push', 'up', 'e', 'z', 'bar']);
  });
});

describe('vocabulary', () => {
  const top = (text: string) => [...conceptWeights(text)].filter(([, w]) => w >= 1).map(([id]) => id).sort();
  it.each([
    ['work the pectorals', ['chest']],
    ['hammies and glute max', ['glutes', 'hamstrings']],
    ['front of your thigh', ['quadriceps']],
    ['bum', ['glutes']],
    ['inner thighs', ['adductors']],
    ['glute medius', ['abductors']],
    ['rhomboids', ['middle back']],
    ['ez curl bar', ['e-z curl bar']],
    ['cable machine', ['cable']],
    ['swiss ball', ['exercise ball']],
    ['self myofascial release', ['foam roll']],
    ['novice', ['beginner']],
    ['press-ups', ['push-up']],
  ])('%s -> %j', (text, expected) => {
    expect(top(text)).toEqual(expected);
  });

  it('has no phrase that stems to two meanings', () => {
    expect(vocabularyConflicts()).toEqual([]);
  });

  it('spreads a body region over its muscles', () => {
    const w = conceptWeights('legs');
    expect(w.get('quadriceps')).toBeGreaterThan(w.get('calves')!);
    expect(w.get('hamstrings')).toBeGreaterThan(0);
  });

  it.each([
    ['pecs', ['chest', 'pec', 'pectoral']],
    ['groin', ['adductors', 'adductor', 'groin']],
    ['something random', []],
  ])('expansionWords(%s)', (text, expected) => {
    expect(expansionWords(text)).toEqual(expected);
  });

  it.each([
    ['Dumbbell Walking Lunge', 'lunge'],
    ['Barbell Deadlift', 'hinge'],
    ['Incline Push-Up', 'push-up'],
    ['Arnold Dumbbell Press', 'press'],
    ['Standing Calf Raises', 'raise'],
    ['Neck Circles', undefined],
  ])('movementPattern(%s) = %s', (name, expected) => {
    expect(movementPattern(name)).toBe(expected);
  });
});

describe('searchDocumentParts', () => {
  it('adds everyday words of the taxonomy and the level to weight B', () => {
    const parts = searchDocumentParts({
      exercise_name: 'Cable Crossover',
      category: 'strength',
      primary_muscles: ['chest'],
      secondary_muscles: ['shoulders'],
      equipment: 'cable',
      force: 'push',
      mechanic: 'isolation',
      how_to: 'Pull the handles together.',
      fitness_level: 2,
    });
    expect(parts.name).toBe('Cable Crossover');
    expect(parts.taxonomy.split(' ')).toEqual(expect.arrayContaining(['chest', 'pec', 'pectoral', 'pulley', 'beginner', 'isolation', 'single', 'joint']));
    expect(parts.body).toBe('Pull the handles together.');
  });

  it('writes only precise synonyms of a muscle, not region words shared by other groups', () => {
    const parts = searchDocumentParts({ exercise_name: 'Wall Sit Curl', primary_muscles: ['quadriceps', 'biceps'], equipment: 'body only' });
    const words = parts.taxonomy.split(' ');
    expect(words).toEqual(expect.arrayContaining(['quad', 'bicep']));
    for (const region of ['leg', 'thigh', 'arm']) expect(words).not.toContain(region);
  });

  it('adds the movement pattern a name shows, a finer concept than the tags', () => {
    expect(searchDocumentParts({ exercise_name: 'Romanian Deadlift', category: 'strength' }).taxonomy.split(' ')).toContain('hinge');
    expect(searchDocumentParts({ exercise_name: 'Bulgarian Split Squat' }).taxonomy.split(' ')).toContain('lunge');
  });

  it('says "no equipment" when equipment is missing', () => {
    expect(searchDocumentParts({ exercise_name: 'Hamstring Stretch' }).taxonomy).toContain('no equipment bodyweight');
  });
});

describe('buildTsQuery', () => {
  it.each([
    ['chest cable', 'chest | cable | pec | pectoral | pulley'],
    ['  ', null],
    ['the and of', null],
    ["it's a (strange) & | ! query:*", 'strange | query'],
    ['upper back', '(upper <-> back) | (middle <-> back) | rhomboid'],
    ['legs without jumping', 'legs | quadriceps | quadricep | quad'],
    ["farmer's walk", '(farmer <-> walk) | carry | (loaded <-> carry) | strongman'],
    ["don't want machines", null],
  ])('%j -> %j', (query, expected) => {
    expect(buildTsQuery(query)).toBe(expected);
  });

  it('ORs words instead of requiring all of them', () => {
    expect(buildTsQuery('ease stiff shoulders before a long drive')).not.toContain('&');
  });
});

describe('fuseRankings', () => {
  it.each([
    [
      'an id in both lists beats ids in one',
      [
        { name: 'a', weight: 1, ids: ['x', 'y'] },
        { name: 'b', weight: 1, ids: ['y', 'z'] },
      ],
      ['y', 'x', 'z'],
    ],
    [
      'weights decide between first places',
      [
        { name: 'a', weight: 1, ids: ['x'] },
        { name: 'b', weight: 2, ids: ['y'] },
      ],
      ['y', 'x'],
    ],
    ['empty lists', [{ name: 'a', weight: 1, ids: [] }], []],
    ['duplicates keep their best rank', [{ name: 'a', weight: 1, ids: ['x', 'y', 'x'] }], ['x', 'y']],
  ])('%s', (_label, lists, expected) => {
    expect(fuseRankings(lists).map((h) => h.id)).toEqual(expected);
  });

  it('scores are sum(weight / (k + rank)) and ranks are reported', () => {
    const [hit] = fuseRankings(
      [
        { name: 'fulltext', weight: 1, ids: ['x'] },
        { name: 'vector', weight: 2, ids: ['y', 'x'] },
      ],
      60,
    ).filter((h) => h.id === 'x');
    expect(hit!.score).toBeCloseTo(1 / 61 + 2 / 62, 10);
    expect(hit!.ranks).toEqual({ fulltext: 1, vector: 2 });
  });
});

describe('selectDiverse', () => {
  const v = (...xs: number[]) => xs;
  const candidates = [
    { id: 'a', relevance: 1, vector: v(1, 0, 0), group: 'video1', pattern: 'squat' },
    { id: 'b', relevance: 0.95, vector: v(0.99, 0.14, 0), group: 'video1', pattern: 'squat' },
    { id: 'c', relevance: 0.9, vector: v(0, 1, 0), group: 'video2', pattern: 'lunge' },
    { id: 'd', relevance: 0.5, vector: v(0, 0, 1), group: 'video3', pattern: 'press' },
  ];
  it.each([
    ['no diversity keeps relevance order', { count: 3, diversity: 0 }, ['a', 'b', 'c']],
    ['diversity skips the near-duplicate', { count: 3, diversity: 0.5 }, ['a', 'c', 'd']],
    ['a cap per source video', { count: 3, diversity: 0, maxPerGroup: 1 }, ['a', 'c', 'd']],
    ['a cap per movement pattern', { count: 2, diversity: 0, maxPerPattern: 1 }, ['a', 'c']],
    ['caps relax rather than return fewer than asked', { count: 4, diversity: 0, maxPerGroup: 1 }, ['a', 'c', 'd', 'b']],
    ['count above the pool returns the pool', { count: 10, diversity: 0.3 }, ['a', 'c', 'b', 'd']],
  ])('%s', (_label, options, expected) => {
    expect(selectDiverse(candidates, options).map((c) => c.id)).toEqual(expected);
  });

  it('works without vectors (caps only)', () => {
    const plain = candidates.map(({ vector: _v, ...c }) => c);
    expect(selectDiverse(plain, { count: 2, diversity: 0.9, maxPerGroup: 1 }).map((c) => c.id)).toEqual(['a', 'c']);
  });

  it('cosine', () => {
    expect(cosine([1, 0], [1, 0])).toBe(1);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([0, 0], [1, 0])).toBe(0);
  });
});
