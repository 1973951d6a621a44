import { describe, expect, it } from 'vitest';
import { analyzeQuery, conceptWeights, degreeBase } from '../../src/language/query.js';

/** Concepts at or above a weight, sorted; negative ones prefixed with "-". */
function read(text: string, min = 0.5): string[] {
  return [...conceptWeights(text)]
    .filter(([, w]) => Math.abs(w) >= min)
    .map(([id, w]) => (w < 0 ? `-${id}` : id))
    .sort();
}

describe('degree: superlatives and comparatives reduce to the base concept with a direction', () => {
  it.each([
    ['toughest', { base: 'tough', degree: 'est' }],
    ['easiest', { base: 'easy', degree: 'est' }],
    ['simpler', { base: 'simpl', degree: 'er' }],
    ['hardest', { base: 'hard', degree: 'est' }],
    ['strongest', { base: 'strong', degree: 'est' }],
    ['shoulder', undefined],
    ['rower', undefined],
    ['beginner', undefined],
  ])('degreeBase(%s)', (word, expected) => {
    expect(degreeBase(word)).toEqual(expected);
  });

  it.each([
    ['the gnarliest and toughest core finishers', ['abdominals', 'expert', 'intermediate']],
    ['easiest hamstring drills', ['beginner', 'hamstrings']],
    ['something a bit more advanced than beginner rows', ['intermediate', 'pull', 'row']],
    ['arm moves harder than intermediate ones', ['biceps', 'expert', 'triceps']],
    ['easier than expert level presses', ['intermediate', 'press', 'push']],
    ['less advanced options for my calves', ['calves', 'intermediate']],
    ['least demanding shoulder work', ['beginner', 'shoulders']],
    ['less intense conditioning', ['cardio', 'low intensity']],
  ])('%s -> %j', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('a comparative one level up keeps a smaller weight on the level after that', () => {
    const w = conceptWeights('more challenging than beginner planks');
    expect(w.get('intermediate')).toBe(1);
    expect(w.get('expert')).toBeCloseTo(0.4);
    expect(w.has('beginner')).toBe(false);
  });
});

describe('negation and contrast apply to every concept kind', () => {
  it.each([
    ['quad work without jumping', ['-jump', 'quadriceps']],
    ['ab training, not a stretch', ['-stretching', 'abdominals']],
    ['skip the barbell today, triceps focus', ['-barbell', 'triceps']],
    ['skipping for ten minutes', ['cardio']],
    ['no weights, arms only', ['biceps', 'bodyweight', 'triceps']],
    ['back day with zero equipment', ['bodyweight', 'lats', 'lower back', 'middle back']],
    ["I don't want machines for my chest", ['-machine', 'chest']],
    ['kettlebell swings instead of deadlifts', ['hinge', 'kettlebells', 'swing']],
    ['cable rows rather than dumbbell rows', ['-dumbbell', 'cable', 'pull', 'row']],
    ['avoid isolation, glute moves', ['-isolation', 'glutes']],
    ['not for beginners: pressing overhead', ['-beginner', 'expert', 'intermediate', 'press', 'push', 'shoulders']],
    ['no pushing movements but pulling is fine', ['-push', 'pull']],
  ])('%s -> %j', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('leaves negated words and the negator out of the query words', () => {
    const tokens = 'legs but not lunges'.split(' ');
    const negated = [...analyzeQuery('legs but not lunges').negatedTokens].map((i) => tokens[i]);
    expect(negated.sort()).toEqual(['lunges', 'not']);
  });

  it('a negation stops at the end of its clause', () => {
    expect(read('no barbell. squats')).toEqual(['-barbell', 'squat']);
  });
});

describe('multi-word phrases claim their words first', () => {
  it.each([
    ['good mornings for the hamstrings', ['hamstrings', 'hinge']],
    ["farmer's walk", ['carry', 'strongman']],
    ['standing calf raise', ['calves', 'raise']],
    ['hip thrust variations', ['bridge', 'glutes']],
    ['muscle ups', ['pull', 'pull-up']],
  ])('%s -> %j', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('reports the token span each multi-word phrase claims', () => {
    expect(analyzeQuery('heavy good morning sets').phrases).toEqual([[1, 2]]);
  });
});

describe('word sense: a goal verb before an exercise name states a goal', () => {
  it.each([
    ['get better at chin-ups', 'pull-up', ['lats', 'biceps']],
    ['improve my squat', 'squat', ['quadriceps', 'glutes']],
    ['accessory work for the bench press', 'press', ['chest', 'triceps']],
    ['master the pistol', 'lunge', ['quadriceps', 'glutes']],
  ])('%s: %s becomes a goal', (text, pattern, muscles) => {
    const w = conceptWeights(text);
    expect(w.get(pattern)).toBe(0.5);
    for (const m of muscles) expect(w.get(m)).toBeGreaterThanOrEqual(0.6);
  });

  it('without a goal verb the exercise name is the movement pattern', () => {
    const w = conceptWeights('chin-ups with a band');
    expect(w.get('pull-up')).toBe(1);
    expect(w.get('biceps')).toBeUndefined();
  });
});

describe('mechanic and force in everyday words', () => {
  it.each([
    ['multi-joint lifts for the whole body', ['compound', 'strength']],
    ['single-joint moves that isolate the biceps', ['biceps', 'isolation']],
    ['pushing exercises', ['push']],
    ['pulling drills', ['pull']],
    ['isometric work, stay still', ['static']],
  ])('%s -> %j', (text, expected) => {
    expect(read(text, 0.6)).toEqual(expected);
  });
});
