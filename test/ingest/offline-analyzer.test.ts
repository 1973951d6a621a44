import { describe, expect, it } from 'vitest';
import { analyzeOffline, extractReps, parseExerciseList } from '../../src/ingest/offline-analyzer.js';
import { AnalyzedExerciseSchema, type AnalysisInput } from '../../src/ingest/types.js';

const base: AnalysisInput = {
  frames: [],
  transcript: null,
  caption: null,
  title: null,
  tags: [],
  carouselIndex: 1,
  carouselCount: 1,
  duration: 30,
  sceneChanges: [],
};

type Expected = { name: string; start: number; end: number; reps?: string | null }[];

const cases: [string, Partial<AnalysisInput>, Expected][] = [
  [
    'numbered list mapped to scene segments in order',
    { caption: 'Full body 🔥\n1. Squats 3x12\n2. Push-ups\n3. Plank 30 sec\n#fitness #workout', sceneChanges: [10, 20] },
    [
      { name: 'Squats', start: 0, end: 10, reps: '3x12' },
      { name: 'Push-ups', start: 10, end: 20, reps: null },
      { name: 'Plank', start: 20, end: 30, reps: '30 sec' },
    ],
  ],
  [
    'parenthesis numbering with "sets of" reps',
    { caption: '1) Goblet squat - 3 sets of 10\n2) Romanian deadlift (4x8)', sceneChanges: [12.5] },
    [
      { name: 'Goblet squat', start: 0, end: 12.5, reps: '3 sets of 10' },
      { name: 'Romanian deadlift', start: 12.5, end: 30, reps: '4x8' },
    ],
  ],
  [
    'emoji-number lines',
    { caption: 'Try this:\n1️⃣ Push-ups 💪\n2️⃣ Dips\n3️⃣ Pike push-ups', sceneChanges: [8, 16] },
    [
      { name: 'Push-ups', start: 0, end: 8 },
      { name: 'Dips', start: 8, end: 16 },
      { name: 'Pike push-ups', start: 16, end: 30 },
    ],
  ],
  [
    'bulleted list with reps on the next line',
    { caption: 'Core finisher\n- Dead bug\n3 sets of 12\n• Hollow hold\n- Side plank', sceneChanges: [10, 20] },
    [
      { name: 'Dead bug', start: 0, end: 10, reps: '3 sets of 12' },
      { name: 'Hollow hold', start: 10, end: 20, reps: null },
      { name: 'Side plank', start: 20, end: 30, reps: null },
    ],
  ],
  [
    'carousel slide picks the entry at its position',
    { caption: '1. Squats\n2. Lunges 10 reps each leg\n3. Glute bridge', carouselIndex: 2, carouselCount: 3, duration: 12, sceneChanges: [4] },
    [{ name: 'Lunges', start: 0, end: 12, reps: '10 reps each leg' }],
  ],
  [
    'carousel count not matching the list: whole video named by title',
    { caption: '1. Squats\n2. Lunges', carouselIndex: 2, carouselCount: 4, title: 'Leg day', duration: 9 },
    [{ name: 'Leg day', start: 0, end: 9 }],
  ],
  [
    'list longer than the segments and no title: one exercise naming all',
    { caption: '1. Squats\n2. Lunges\n3. Calf raises' },
    [{ name: 'Squats + Lunges + Calf raises', start: 0, end: 30 }],
  ],
  [
    'single numbered entry spans the whole video',
    { caption: 'My favourite:\n1. Bulgarian split squat 3 x 8 per leg', sceneChanges: [5, 9] },
    [{ name: 'Bulgarian split squat', start: 0, end: 30, reps: '3 x 8 per leg' }],
  ],
  [
    'hashtag-only captions fall back to the title, with its reps',
    { caption: '#legday #squats #fitness', title: 'Jump squats 4x20 #shorts' },
    [{ name: 'Jump squats', start: 0, end: 30, reps: '4x20' }],
  ],
  [
    'a single bullet is not a list',
    { caption: '- new PR today', title: 'Deadlift form check' },
    [{ name: 'Deadlift form check', start: 0, end: 30 }],
  ],
  [
    'platform placeholder titles are ignored in favour of the host',
    { title: 'Video by coach_anna', sourceUrl: 'https://www.instagram.com/p/abc/' },
    [{ name: 'Exercise from instagram.com', start: 0, end: 30 }],
  ],
  [
    'file-name titles are made readable',
    { title: 'kettlebell_swing-tutorial' },
    [{ name: 'kettlebell swing tutorial', start: 0, end: 30 }],
  ],
  ['nothing at all', {}, [{ name: 'Untitled exercise', start: 0, end: 30 }]],
  [
    'second list restarting at 1 is ignored; scene changes outside the video ignored',
    { caption: 'Workout\n1. Burpees\n2. Mountain climbers\nFinisher\n1. Plank', sceneChanges: [-1, 15, 15, 45] },
    [
      { name: 'Burpees', start: 0, end: 15 },
      { name: 'Mountain climbers', start: 15, end: 30 },
    ],
  ],
  [
    'numbers inside names are not list markers or reps',
    { caption: '1. 90/90 hip switch\n2. World’s greatest stretch', sceneChanges: [14.25] },
    [
      { name: '90/90 hip switch', start: 0, end: 14.25 },
      { name: 'World’s greatest stretch', start: 14.25, end: 30 },
    ],
  ],
];

describe('analyzeOffline', () => {
  it.each(cases)('%s', (_label, overrides, expected) => {
    const result = analyzeOffline({ ...base, ...overrides });
    expect(result.map((e) => ({ name: e.name, start: e.start_time, end: e.end_time }))).toEqual(
      expected.map(({ name, start, end }) => ({ name, start, end })),
    );
    for (const [i, e] of expected.entries()) {
      if (e.reps !== undefined) expect(result[i]!.rounds_reps).toBe(e.reps);
    }
    for (const exercise of result) {
      expect(AnalyzedExerciseSchema.parse(exercise)).toEqual(exercise);
      expect(exercise).toMatchObject({ how_to: null, benefits: null, counteracts: null, category: null, equipment: null });
      expect(exercise.confidence).toBeLessThanOrEqual(0.3);
    }
  });

  it('is pure: same input, same output, input untouched', () => {
    const input = { ...base, caption: '1. Squats\n2. Lunges', sceneChanges: [10] };
    const copy = structuredClone(input);
    expect(analyzeOffline(input)).toEqual(analyzeOffline(input));
    expect(input).toEqual(copy);
  });
});

describe('parseExerciseList / extractReps', () => {
  it('reads keycap ten and dash numbering', () => {
    expect(parseExerciseList('9️⃣ Lunges\n🔟 Burpees').map((e) => e.name)).toEqual(['Lunges', 'Burpees']);
    expect(parseExerciseList('1 - Squats\n2 – Lunges').map((e) => e.name)).toEqual(['Squats', 'Lunges']);
    expect(parseExerciseList('1.Squats\n2.5kg dumbbells\n10:30 class\n2.Lunges').map((e) => e.name)).toEqual(['Squats', 'Lunges']);
  });

  it.each([
    ['Squats 3x12', '3x12'],
    ['Squats 3 x 10-12 reps', '3 x 10-12 reps'],
    ['3 sets of 10 reps', '3 sets of 10 reps'],
    ['Plank 45s', '45s'],
    ['Lunges 12 reps each side', '12 reps each side'],
    ['Circuit: 4 rounds', '4 rounds'],
    ['Squats', null],
  ])('%s -> %s', (text, reps) => {
    expect(extractReps(text).reps).toBe(reps);
  });
});
