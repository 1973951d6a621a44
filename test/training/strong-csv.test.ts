import { describe, expect, it } from 'vitest';
import { toStrongCsv } from '../../src/training/strong-csv.js';

describe('Strong CSV export', () => {
  it('writes one row per set under Strong\'s header, quoting text', () => {
    const csv = toStrongCsv([
      { started_at: '2019-01-11T12:31:54.000Z', workout_name: 'Leg', workout_note: null, exercise_name: 'Deadlift (Barbell)', set_number: 1, reps: 5, weight_kg: 20, duration_seconds: null, rpe: null },
      { started_at: '2019-01-11T12:31:54.000Z', workout_name: 'Leg "A"', workout_note: 'felt; good', exercise_name: 'Plank', set_number: 2, reps: null, weight_kg: null, duration_seconds: 60, rpe: 7.5 },
    ]);
    expect(csv.split('\n')).toEqual([
      'Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;Distance Unit;Seconds;Notes;Workout Notes',
      '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";1;20;kg;5;;;;0;"";""',
      '2019-01-11 12:31:54;"Leg ""A""";"Plank";2;;;;7.5;;;60;"";"felt; good"',
      '',
    ]);
  });
});
