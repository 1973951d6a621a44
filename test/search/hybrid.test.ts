import { describe, expect, it } from 'vitest';
import { factsOf, isStretchLike, nameMatch, noGoodMatch, priorFactor, queryIntent, rankHybrid, type CandidateFacts } from '../../src/search/hybrid.js';
import { contentStems } from '../../src/language/text.js';

type RowFields = Omit<CandidateFacts, 'profile' | 'tags'> & { how_to?: string };
const row = (name: string, over: Partial<RowFields> = {}): CandidateFacts => {
  const r = { name, category: 'strength', equipment: 'dumbbell', primary_muscles: ['quadriceps'], force: 'push', mechanic: 'compound', fitness_level: 2, ...over };
  return factsOf({ ...r, exercise_name: r.name });
};

const PARAMS = { categoryPrior: 0.3, negationPenalty: 0.5 };

describe('queryIntent', () => {
  it.each([
    ['quad exercises with dumbbells', false, []],
    ['release tight quads', true, []],
    ['foam roller for the calves', true, []],
    ['quads, not a stretch', false, ['stretching']],
    ['thigh work without jumping or a barbell', false, ['barbell', 'jump'].sort()],
  ])('%s', (query, wantsStretch, avoid) => {
    const intent = queryIntent(query);
    expect(intent.wantsStretch).toBe(wantsStretch);
    expect([...intent.avoid, ...(intent.excluded ?? [])].filter((id) => id !== 'plyometrics').sort()).toEqual(avoid);
  });
});

describe('priorFactor', () => {
  const training = row('Goblet Squat');
  const stretch = row('Lying Quad Stretch With Band', { category: 'stretching', equipment: null, force: 'static' });
  const rolling = row('Quadriceps SMR', { category: 'stretching', equipment: 'foam roll' });
  const jump = row('Tuck Jump', { category: 'plyometrics', equipment: 'body only' });
  it.each([
    ['a training query keeps training rows', 'quad exercises', training, 1],
    ['a training query lowers stretches', 'quad exercises', stretch, 0.7],
    ['a stretching query lowers training rows', 'stretch my quads', training, 0.7],
    ['a stretching query keeps stretches', 'stretch my quads', stretch, 1],
    ['foam rolling counts as stretching', 'foam rolling for quads', rolling, 1],
    ['a negated jump excludes a jumping row', 'quads without jumping', jump, 0],
    ['a negated pattern in the name excludes a row', 'no squats today', training, 0],
    ['a negated equipment excludes a row', 'legs, skip the dumbbells', training, 0],
    ['a negated muscle only lowers a row', 'no quads today, shoulders', training, 0.5],
    ['a negated exercise leaves its muscle group alone', 'no squats today', row('Leg Extension', { mechanic: 'isolation' }), 1],
    ['a row without the avoided concept is untouched', 'legs, skip the barbell', training, 1],
  ])('%s', (_label, query, r, expected) => {
    expect(priorFactor(r, queryIntent(query), PARAMS)).toBeCloseTo(expected, 10);
  });

  it('reads stretch-like rows from category or foam-roll equipment', () => {
    expect([training, stretch, rolling, jump].map(isStretchLike)).toEqual([false, true, true, false]);
  });
});

describe('rankHybrid', () => {
  const facts = new Map([
    ['id-3', row('Alpha Squat')],
    ['id-1', row('Bravo Squat')],
    ['id-2', row('Charlie Stretch', { category: 'stretching' })],
    ['id-4', row('Delta Lunge')],
  ]);
  const intent = queryIntent('quad exercises');

  it('breaks score ties inside a ranker by name, then id, whatever order the database returned', () => {
    const a = rankHybrid([{ name: 'vector', weight: 1, hits: [{ id: 'id-1', score: 0.9 }, { id: 'id-3', score: 0.9 }, { id: 'id-4', score: 0.5 }] }], facts, intent, PARAMS);
    const b = rankHybrid([{ name: 'vector', weight: 1, hits: [{ id: 'id-3', score: 0.9 }, { id: 'id-1', score: 0.9 }, { id: 'id-4', score: 0.5 }] }], facts, intent, PARAMS);
    expect(a.map((h) => h.id)).toEqual(['id-3', 'id-1', 'id-4']);
    expect(b.map((h) => h.id)).toEqual(a.map((h) => h.id));
  });

  it('breaks fused ties by name when both rankers disagree symmetrically', () => {
    const lists = [
      { name: 'fulltext', weight: 1, hits: [{ id: 'id-1', score: 2 }, { id: 'id-3', score: 1 }] },
      { name: 'vector', weight: 1, hits: [{ id: 'id-3', score: 0.9 }, { id: 'id-1', score: 0.8 }] },
    ];
    expect(rankHybrid(lists, facts, intent, PARAMS).map((h) => h.id)).toEqual(['id-3', 'id-1']);
  });

  it('applies the category prior after fusion', () => {
    const lists = [{ name: 'vector', weight: 1, hits: [{ id: 'id-2', score: 0.9 }, { id: 'id-4', score: 0.85 }] }];
    expect(rankHybrid(lists, facts, intent, PARAMS).map((h) => h.id)).toEqual(['id-4', 'id-2']);
    expect(rankHybrid(lists, facts, intent, { ...PARAMS, categoryPrior: 0 }).map((h) => h.id)).toEqual(['id-2', 'id-4']);
    expect(rankHybrid(lists, facts, queryIntent('stretch the quads'), PARAMS).map((h) => h.id)).toEqual(['id-2', 'id-4']);
  });
});

describe('nameMatch', () => {
  it.each([
    ['goblet squat', 'Goblet Squat', 'exact'],
    ['goblet squats', 'Goblet Squat', 'exact'],
    ['hip thrust', 'Barbell Hip Thrust', 'near'],
    ['squat', 'Goblet Squat', null],
    ['hip thrust', 'Single Leg Banded Hip Thrust', null],
    ['front squat', 'Goblet Squat', null],
  ])('%s ~ %s -> %s', (query, name, expected) => {
    expect(nameMatch(name, contentStems(query))).toBe(expected);
  });
});

describe('noGoodMatch', () => {
  it.each([
    ['xkqzv bwpl', 0, true],
    ['xkqzv bwpl', 3, false],
    ['sore knees', 0, false],
    ['no barbell', 0, false],
  ])('%s with %d full-text hits -> no match: %s', (query, hits, expected) => {
    expect(noGoodMatch(query, hits) !== undefined).toBe(expected);
  });
});

describe('rankHybrid scores', () => {
  const facts = new Map([
    ['a', row('Goblet Squat')],
    ['b', row('Front Squat', { equipment: 'barbell' })],
    ['c', row('Box Jump', { category: 'plyometrics', equipment: 'body only' })],
  ]);
  const lists = [
    { name: 'fulltext', weight: 0.25, hits: [{ id: 'a', score: 0.9 }, { id: 'b', score: 0.5 }, { id: 'c', score: 0.1 }] },
    { name: 'vector', weight: 1, hits: [{ id: 'b', score: 0.8 }, { id: 'a', score: 0.7 }, { id: 'c', score: 0.2 }] },
  ];

  it('are relevance from 0 to 1 with 1 for first in every ranker; an exact name scores 1', () => {
    const plain = rankHybrid(lists, facts, queryIntent('quad work'), PARAMS);
    for (const h of plain) expect(h.score > 0 && h.score <= 1).toBe(true);
    const exact = rankHybrid(lists, facts, queryIntent('goblet squat'), PARAMS);
    expect(exact[0]).toMatchObject({ id: 'a', score: 1 });
  });

  it('count stated preferences in the best possible score: a row meeting one of several is below 1', () => {
    const seated = new Map([
      ['s', row('Seated Leg Extension', { equipment: 'machine', mechanic: 'isolation' })],
      ['t', row('Barbell Squat', { equipment: 'barbell' })],
    ]);
    const one = [{ name: 'vector', weight: 1, hits: [{ id: 's', score: 0.9 }, { id: 't', score: 0.8 }] }];
    const [top] = rankHybrid(one, seated, queryIntent('single leg quad work I can do seated'), PARAMS);
    expect(top).toMatchObject({ id: 's' });
    expect(top!.score).toBeLessThan(1);
  });

  it('drop rows an explicit negation excludes', () => {
    expect(rankHybrid(lists, facts, queryIntent('quad work, no jumping'), PARAMS).map((h) => h.id)).toEqual(['b', 'a']);
  });
});
