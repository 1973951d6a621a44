import { describe, expect, it } from 'vitest';
import { bestsOf, epley1rm, newRecords, volumeKg } from '../../src/training/progress.js';

describe('progress arithmetic', () => {
  it.each([
    [100, 1, 100],
    [100, 10, 133.33],
    [60, 5, 70],
    [0, 5, null],
    [null, 5, null],
    [80, null, null],
    [80, 0, null],
  ])('Epley 1RM of %s kg x %s is %s', (weight, reps, expected) => {
    expect(epley1rm(weight, reps)).toBe(expected);
  });

  it('counts volume and records over done sets only', () => {
    const sets = [
      { reps: 5, weight_kg: 100, done: true },
      { reps: 8, weight_kg: 90, done: true },
      { reps: 12, weight_kg: 200, done: false },
      { reps: 0, weight_kg: 120, done: true },
    ];
    expect(volumeKg(sets)).toBe(1220);
    expect(bestsOf(sets)).toEqual({ best_weight_kg: 100, best_e1rm_kg: 116.67, most_reps: 8 });
  });

  it.each([
    [{ best_weight_kg: null, best_e1rm_kg: null, most_reps: null }, { best_weight_kg: 50, best_e1rm_kg: 55, most_reps: 3 }, ['best_weight_kg', 'best_e1rm_kg', 'most_reps']],
    [{ best_weight_kg: 50, best_e1rm_kg: 55, most_reps: 3 }, { best_weight_kg: 50, best_e1rm_kg: 56, most_reps: 2 }, ['best_e1rm_kg']],
    [{ best_weight_kg: 50, best_e1rm_kg: 55, most_reps: 3 }, { best_weight_kg: null, best_e1rm_kg: null, most_reps: null }, []],
  ])('new records from %j to %j: %j', (before, now, expected) => {
    expect(newRecords(before, now)).toEqual(expected);
  });
});
