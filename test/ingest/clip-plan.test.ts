import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { nameKey, planClips, type SegmentInput } from '../../src/ingest/clip-plan.js';

type Seg = SegmentInput & { id?: string };

const seg = (name: string, start: number, end: number, confidence?: number, id?: string): Seg => ({
  name,
  start,
  end,
  ...(confidence === undefined ? {} : { confidence }),
  ...(id === undefined ? {} : { id }),
});

const opts = { videoDuration: 100, minClipSeconds: 2, maxClipSeconds: 30 };

/** Compact view of a plan: `name start-end`. */
const view = (clips: { name: string; start: number; end: number }[]) => clips.map((c) => `${c.name} ${c.start}-${c.end}`);

const cases: { name: string; segments: Seg[]; options?: Partial<typeof opts>; expected: string[] }[] = [
  { name: 'empty', segments: [], expected: [] },
  {
    name: 'all invalid: NaN, Infinity, reversed, zero-length, outside the video',
    segments: [
      seg('a', NaN, 5),
      seg('b', 0, Infinity),
      seg('c', 10, 5),
      seg('d', 7, 7),
      seg('e', 150, 160),
      seg('f', -20, -1),
    ],
    expected: [],
  },
  { name: 'one valid segment unchanged', segments: [seg('Squat', 10, 20, 0.9)], expected: ['Squat 10-20'] },
  {
    name: 'clamped to the video and rounded to milliseconds',
    segments: [seg('a', -3, 4.12345), seg('b', 95.00049, 140)],
    expected: ['a 0-4.123', 'b 95-100'],
  },
  {
    name: 'sorted by start',
    segments: [seg('c', 50, 60), seg('a', 10, 20), seg('b', 30, 40)],
    expected: ['a 10-20', 'b 30-40', 'c 50-60'],
  },
  {
    name: 'too short dropped after clamping',
    segments: [seg('a', 10, 11.999), seg('b', 99, 120), seg('c', 20, 22)],
    expected: ['c 20-22'],
  },
  {
    name: 'over-long trimmed to max from its start',
    segments: [seg('a', 10, 70)],
    expected: ['a 10-40'],
  },
  {
    name: 'duplicates overlapping merge, case and spacing ignored, the more confident fields kept',
    segments: [seg('Push Up', 10, 20, 0.6, 'low'), seg('  push   up ', 15, 25, 0.9, 'high')],
    expected: ['  push   up  10-25'],
  },
  {
    name: 'duplicates touching exactly merge',
    segments: [seg('lunge', 10, 20, 0.5), seg('Lunge', 20, 26, 0.5)],
    expected: ['lunge 10-26'],
  },
  {
    name: 'duplicates with a gap stay separate',
    segments: [seg('lunge', 10, 20), seg('lunge', 20.5, 26)],
    expected: ['lunge 10-20', 'lunge 20.5-26'],
  },
  {
    name: 'two short duplicates merge into one long enough',
    segments: [seg('hop', 10, 11), seg('hop', 11, 12.5)],
    expected: ['hop 10-12.5'],
  },
  {
    name: 'different exercises touching exactly both kept',
    segments: [seg('a', 10, 20, 0.9), seg('b', 20, 30, 0.1)],
    expected: ['a 10-20', 'b 20-30'],
  },
  {
    name: 'overlap: the less confident one is trimmed to the remainder',
    segments: [seg('a', 10, 20, 0.4), seg('b', 15, 30, 0.9)],
    expected: ['a 10-15', 'b 15-30'],
  },
  {
    name: 'overlap: remainder below the minimum drops only the worse one',
    segments: [seg('a', 10, 20, 0.4), seg('b', 11, 30, 0.9)],
    expected: ['b 11-30'],
  },
  {
    name: 'overlap with equal confidence: the longer wins',
    segments: [seg('a', 10, 30, 0.5), seg('b', 25, 35, 0.5)],
    expected: ['a 10-30', 'b 30-35'],
  },
  {
    name: 'missing confidence loses to any stated confidence',
    segments: [seg('a', 10, 30), seg('b', 25, 35, 0.01)],
    expected: ['a 10-25', 'b 25-35'],
  },
  {
    name: 'one covering another: better inner keeps, outer keeps its longer side',
    segments: [seg('outer', 10, 40, 0.5), seg('inner', 15, 25, 0.9)],
    expected: ['inner 15-25', 'outer 25-40'],
  },
  {
    name: 'one covering another: better outer swallows the inner',
    segments: [seg('outer', 10, 40, 0.9), seg('inner', 15, 25, 0.5)],
    expected: ['outer 10-40'],
  },
  {
    name: 'one covering another with equal sides: the earlier side is kept',
    segments: [seg('outer', 10, 30, 0.5), seg('inner', 17, 23, 0.9)],
    expected: ['outer 10-17', 'inner 17-23'],
  },
  {
    name: 'three-way overlap: best kept whole, others trimmed against what was kept',
    segments: [seg('a', 0, 12, 0.5), seg('b', 10, 22, 0.9), seg('c', 20, 32, 0.7)],
    expected: ['a 0-10', 'b 10-22', 'c 22-32'],
  },
  {
    name: 'three-way pile-up on one span: only the best survives',
    segments: [seg('a', 10, 20, 0.5), seg('b', 10, 20, 0.9), seg('c', 10.5, 20, 0.7)],
    expected: ['b 10-20'],
  },
  {
    name: 'equal confidence and length: the earlier start wins',
    segments: [seg('late', 15, 25, 0.5), seg('early', 10, 20, 0.5)],
    expected: ['early 10-20', 'late 20-25'],
  },
  {
    name: 'identical times and confidence: alphabetical name decides, not input order',
    segments: [seg('zeta', 10, 20, 0.5), seg('alpha', 10, 20, 0.5)],
    expected: ['alpha 10-20'],
  },
  {
    name: 'long segment trimmed before overlap resolution frees its tail',
    segments: [seg('long', 0, 90, 0.9), seg('later', 35, 45, 0.5)],
    expected: ['long 0-30', 'later 35-45'],
  },
  {
    name: 'short segment does not knock out a neighbour before being dropped',
    segments: [seg('blip', 14, 15, 1), seg('real', 10, 20, 0.5)],
    expected: ['real 10-20'],
  },
  {
    name: 'zero minimum still drops zero-length segments',
    segments: [seg('a', 5, 5), seg('b', 5, 5.001)],
    options: { minClipSeconds: 0 },
    expected: ['b 5-5.001'],
  },
  {
    name: 'video shorter than every segment start',
    segments: [seg('a', 20, 30)],
    options: { videoDuration: 10 },
    expected: [],
  },
];

describe('planClips', () => {
  it.each(cases)('$name', ({ segments, options, expected }) => {
    expect(view(planClips(segments, { ...opts, ...options }))).toEqual(expected);
  });

  it('keeps extra fields, takes them from the more confident duplicate, and does not mutate input', () => {
    const input = [
      { name: 'Squat', start: 10, end: 20, confidence: 0.9, how_to: 'deep', reps: 10 },
      { name: 'squat', start: 18, end: 24, confidence: 0.3, how_to: 'shallow', reps: 12 },
    ];
    const snapshot = structuredClone(input);
    const plan = planClips(input, opts);
    expect(plan).toEqual([{ name: 'Squat', start: 10, end: 24, confidence: 0.9, how_to: 'deep', reps: 10 }]);
    // The extra field is still typed on the result.
    const reps: number = plan[0]!.reps;
    expect(reps).toBe(10);
    expect(input).toEqual(snapshot);
  });

  it('gives the same plan whatever the input order', () => {
    const segments = [
      seg('a', 0, 12, 0.5),
      seg('b', 10, 22, 0.5),
      seg('c', 20, 32, 0.5),
      seg('d', 5, 6, 0.5),
      seg('A', 11, 14, 0.5),
    ];
    const expected = view(planClips(segments, opts));
    for (let i = 0; i < 10; i++) {
      const shuffled = [...segments].sort(() => Math.random() - 0.5);
      expect(view(planClips(shuffled, opts))).toEqual(expected);
    }
  });

  it('never returns overlapping clips or clips outside the limits (randomised)', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round++) {
      const segments = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => {
        const start = rand() * 120 - 10;
        return seg(['a', 'b', 'c', 'd'][Math.floor(rand() * 4)]!, start, start + rand() * 50, rand());
      });
      const plan = planClips(segments, opts);
      for (const [i, c] of plan.entries()) {
        expect(c.start).toBeGreaterThanOrEqual(0);
        expect(c.end).toBeLessThanOrEqual(100);
        expect(c.end - c.start).toBeGreaterThanOrEqual(2 - 1e-9);
        expect(c.end - c.start).toBeLessThanOrEqual(30 + 1e-9);
        if (i > 0) expect(c.start).toBeGreaterThanOrEqual(plan[i - 1]!.end);
      }
      // Never dropping both: the best valid segment always yields a clip.
      const valid = segments.filter((s) => Math.min(s.end, 100) - Math.max(s.start, 0) >= 2);
      if (valid.length > 0) expect(plan.length).toBeGreaterThan(0);
    }
  });

  it.each([
    [{ videoDuration: NaN }, 'videoDuration'],
    [{ minClipSeconds: -1 }, 'minClipSeconds'],
    [{ maxClipSeconds: 1, minClipSeconds: 2 }, 'maxClipSeconds'],
  ])('rejects bad options %j', (bad, field) => {
    expect(() => planClips([], { ...opts, ...bad })).toThrow(ValidationError);
    try {
      planClips([], { ...opts, ...bad });
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it.each([
    ['Push Up', 'push up'],
    ['  PUSH\t up ', 'push up'],
    ['Ｐｕｓｈ up', 'push up'],
  ])('nameKey(%j) = %j', (name, key) => {
    expect(nameKey(name)).toBe(key);
  });
});
