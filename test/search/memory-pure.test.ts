import { describe, expect, it } from 'vitest';
import type { Exercise, ExerciseFilters } from '../../src/database/types.js';
import { dotFloat4, dotFloat4Columns, SEQUENTIAL, type SumOrder } from '../../src/search/memory/cosine.js';
import { compileRowTest } from '../../src/search/memory/filters.js';
import { float4Value, nthSmallest, smallest } from '../../src/search/memory/library.js';
import { compileTsquery, renderTsquery, tsqueryWords } from '../../src/search/memory/tsquery.js';
import { parseTsvector, posOf, tsqueryMatches, uniqueOperands, weightOf } from '../../src/search/memory/tsvector.js';

const decode = (text: string) => [...parseTsvector(text)].map(([l, ps]) => [l, Array.from(ps, (p) => `${posOf(p)}${'DCBA'[weightOf(p)]}`)]);

describe('parseTsvector', () => {
  it.each([
    ['', []],
    ["'push':1A,4B 'up':2A,9", [['push', ['1A', '4B']], ['up', ['2A', '9D']]]],
    ["'it''s':3C", [["it's", ['3C']]]],
    ["'back\\\\slash':1 'a\\'b':2", [['back\\slash', ['1D']], ["a'b", ['2D']]]],
    ["'nopos' 'x':16383A", [['nopos', []], ['x', ['16383A']]]],
  ])('%j', (text, expected) => {
    expect(decode(text)).toEqual(expected);
  });
});

describe('compileTsquery', () => {
  // Lexemes as the english configuration gives them: [] is a stopword, two entries a word it splits.
  const LEXEMES: Record<string, string[]> = { the: [], up: [], farmer: ['farmer'], walk: ['walk'], carry: ['carri'], pushes: ['push'], pushing: ['push'], bench: ['bench'], odd: ['o', 'dd'] };
  const lookup = (w: string) => LEXEMES[w];
  it.each([
    ['farmer | walk', "'farmer' | 'walk'"],
    ['(farmer <-> walk <-> carry) | bench', "'farmer' <-> 'walk' <-> 'carri' | 'bench'"],
    ['(farmer <-> the <-> walk)', "'farmer' <2> 'walk'"],
    ['(the <-> farmer <-> walk) | the', "'farmer' <-> 'walk'"],
    ['(farmer <-> the <-> the <-> walk)', "'farmer' <3> 'walk'"],
    ['(pushes <-> up)', "'push'"],
    ['pushes | pushing', "'push' | 'push'"],
    ['the | up', ''],
  ])('%s -> %s', (text, pg) => {
    expect(renderTsquery(compileTsquery(text, lookup)!)).toBe(pg);
  });
  it('declines words it cannot reproduce: unknown, or split into several lexemes', () => {
    expect(compileTsquery('bench | unknownword', lookup)).toBeNull();
    expect(compileTsquery('bench | odd', lookup)).toBeNull();
  });
  it('lists each word once', () => {
    expect(tsqueryWords('(farmer <-> walk) | farmer | bench')).toEqual(['farmer', 'walk', 'bench']);
  });
  it('ranks operands in byte order, each once, whatever the tree', () => {
    expect(uniqueOperands(compileTsquery('(walk <-> farmer) | bench | walk', lookup)!)).toEqual(['bench', 'farmer', 'walk']);
  });
});

describe('tsqueryMatches', () => {
  const doc = parseTsvector("'farmer':1A,7 'walk':2A,9 'carri':3B 'bench':20");
  const has = (l: string) => doc.get(l);
  const q = (terms: [string[], number[]][]) => ({ terms: terms.map(([lexemes, offsets]) => ({ lexemes, offsets })) });
  it.each([
    [[[['farmer', 'walk'], [0, 1]]], true],
    [[[['walk', 'farmer'], [0, 1]]], false],
    [[[['farmer', 'walk'], [0, 2]]], true], // 7 and 9
    [[[['farmer', 'carri'], [0, 2]]], true],
    [[[['farmer', 'walk', 'carri'], [0, 1, 2]]], true],
    [[[['farmer', 'bench'], [0, 1]]], false],
    [[[['farmer', 'bench'], [0, 1]], [['bench'], [0]]], true],
    [[[['missing'], [0]]], false],
  ] as [[string[], number[]][], boolean][])('%j -> %s', (terms, expected) => {
    expect(tsqueryMatches(has, q(terms))).toBe(expected);
  });
});

describe('compileRowTest has the SQL filter meaning', () => {
  const row = (over: Partial<Exercise>): Exercise =>
    ({ exercise_name: 'Barbell Bench Press', fitness_level: 5, intensity: null, duration: null, category: 'strength', equipment: 'barbell', platform: 'catalogue', primary_muscles: ['chest'], secondary_muscles: ['triceps'], normalized_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', video_path: null, ...over }) as Exercise;
  it.each([
    [{ name: 'bench' }, {}, true],
    [{ name: 'BENCH PRESS' }, {}, true],
    [{ name: '100%' }, { exercise_name: '100% effort' }, true],
    [{ name: '100%' }, { exercise_name: '1000 effort' }, false],
    [{ name: 'a_b' }, { exercise_name: 'axb' }, false],
    [{ fitness_level: { min: 5, max: 5 } }, {}, true],
    [{ fitness_level: { min: 6 } }, {}, false],
    [{ intensity: { min: 0 } }, {}, false], // NULL never satisfies a comparison
    [{ intensity: { max: 10 } }, { intensity: 10 }, true],
    [{ category: ['cardio', 'strength'] }, {}, true],
    [{ equipment: ['cable'] }, {}, false],
    [{ equipment: ['cable'] }, { equipment: null }, false],
    [{ muscles: ['triceps'] }, {}, true],
    [{ muscles: ['biceps'] }, {}, false],
    [{ platform: ['youtube'] }, {}, false],
    [{ url: 'https://youtu.be/dQw4w9WgXcQ' }, {}, true],
    [{ has_clip: true }, {}, false],
    [{ has_clip: false }, {}, true],
    [{ has_clip: true }, { video_path: 'clips/a.mp4' }, true],
  ] as [ExerciseFilters, Partial<Exercise>, boolean][])('%j on %j -> %s', (filters, over, expected) => {
    expect(compileRowTest(filters)!(row(over))).toBe(expected);
  });
  it('leaves a name filter outside ASCII to the database (its locale folds case)', () => {
    expect(compileRowTest({ name: 'Übung' })).toBeNull();
  });
});

describe('float sums', () => {
  it('sums one product at a time, or in lanes reduced pairwise', () => {
    // 2^24 + 1 + 1 - 2^24: one running float sum loses both ones; in two lanes the second one survives.
    const a = Float32Array.of(2 ** 24, 1, 1, -(2 ** 24));
    const ones = Float32Array.of(1, 1, 1, 1);
    expect(dotFloat4(a, 0, ones, 4, SEQUENTIAL)).toBe(0);
    expect(dotFloat4(a, 0, ones, 4, { lanes: 2, fma: false })).toBe(1);
  });
  it.each([
    ['sequential', SEQUENTIAL, 0.1],
    ['sequential, fused', { lanes: 1, fma: true }, 0.5],
    ['8 fused lanes', { lanes: 8, fma: true }, 0.1],
    ['8 lanes', { lanes: 8, fma: false }, 1],
    ['16 fused lanes', { lanes: 16, fma: true }, 0.05],
    ['4 lanes', { lanes: 4, fma: false }, 0.3],
  ] as [string, SumOrder, number][])('sums every row of a column-major matrix as dotFloat4 sums one (%s, query density %s)', (_, order, density) => {
    // 21 dimensions: a tail after the lanes. Values span magnitudes so that the order changes roundings.
    let seed = 99;
    const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 10 ** Math.floor((seed % 7) - 3);
    const dims = 21;
    const count = 40;
    const rows = Array.from({ length: count }, () => Float32Array.from({ length: dims }, next));
    const q = Float32Array.from({ length: dims }, () => (Math.abs(next()) % 1 < density ? next() : 0));
    q[dims - 1] = next();
    const columns = new Float32Array(count * dims);
    rows.forEach((row, r) => row.forEach((x, j) => (columns[j * count + r] = x)));
    const all = dotFloat4Columns(columns, count, q, order);
    const one = rows.map((row) => dotFloat4(row, 0, q, dims, order));
    expect(Array.from(all)).toEqual(one);
    // The orders really differ on these rows, or this table would prove nothing.
    if (order !== SEQUENTIAL) expect(rows.some((row) => dotFloat4(row, 0, q, dims, SEQUENTIAL) !== dotFloat4(row, 0, q, dims, order))).toBe(true);
  });
  it('reads a float4 back as PostgreSQL prints it', () => {
    expect(float4Value(Math.fround(0.1))).toBe(0.1);
    expect(float4Value(Math.fround(1 / 3))).toBe(0.33333334);
    expect(float4Value(0)).toBe(0);
  });
});

describe('smallest', () => {
  const byIndex = Array.from({ length: 5000 }, (_, i) => i);
  it.each([
    [[5, 3, 9, 1, 7], 2, [3, 1]],
    [[5, 3, 9, 1, 7], 10, [3, 1, 0, 4, 2]],
    [[2, 2, 2, 2, 2, 2, 2, 2, 2, 1], 3, [9, 0, 1]],
    [[2, 1, 2, 2, 0, 2, 2], 4, [4, 1, 0, 2]],
    [[Infinity, 1, Infinity, -0, 0], 4, [3, 4, 1, 0]],
    [[], 3, []],
    [[4, 2], 0, []],
  ])('%j, limit %i -> indices %j', (values, limit, expected) => {
    expect(smallest(values.map((_, i) => i), limit, values, byIndex)).toEqual(expected);
  });
  it('agrees with a full sort on long inputs with many ties, whatever the order they come in', () => {
    let seed = 5;
    const next = () => (seed = (seed * 16807) % 2147483647);
    const values = Array.from({ length: 5000 }, () => next() % 300);
    // A tie order that is not the index order.
    const tie = Array.from({ length: 5000 }, () => next());
    const compare = (a: number, b: number) => values[a]! - values[b]! || tie[a]! - tie[b]!;
    const all = values.map((_, i) => i);
    for (const limit of [1, 10, 100, 1000]) expect(smallest(all, limit, values, tie)).toEqual([...all].sort(compare).slice(0, limit));
    expect(smallest([...all].reverse(), 100, values, tie)).toEqual([...all].sort(compare).slice(0, 100));
  });
});

describe('nthSmallest', () => {
  it('selects what a sort would put at each index, on shuffled, sorted, reversed and tied inputs', () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const inputs = [
      Array.from({ length: 500 }, random),
      Array.from({ length: 300 }, (_, i) => i),
      Array.from({ length: 300 }, (_, i) => -i),
      Array.from({ length: 200 }, () => Math.floor(random() * 3)),
      [Infinity, -0, 0, 1, Infinity],
      [7],
    ];
    for (const input of inputs) {
      const sorted = Float64Array.from(input).sort();
      // `===`: -0 and 0 are the same cut-off.
      for (const k of [0, 1, Math.floor(input.length / 2), input.length - 1]) expect(nthSmallest(Float64Array.from(input), k) === sorted[k]).toBe(true);
    }
  });
});
