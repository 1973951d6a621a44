/**
 * The workout log as the CSV that the Strong app exports (one row per set; semicolon-separated,
 * text quoted, dates as `YYYY-MM-DD HH:MM:SS`), which other trackers import. The header is
 * Strong's own, see the README's Training section for the source. Pure.
 */
export const STRONG_CSV_HEADER = [
  'Date',
  'Workout Name',
  'Exercise Name',
  'Set Order',
  'Weight',
  'Weight Unit',
  'Reps',
  'RPE',
  'Distance',
  'Distance Unit',
  'Seconds',
  'Notes',
  'Workout Notes',
] as const;

export interface LogRow {
  started_at: string;
  workout_name: string;
  workout_note: string | null;
  exercise_name: string;
  set_number: number;
  reps: number | null;
  weight_kg: number | null;
  duration_seconds: number | null;
  rpe: number | null;
}

const quote = (s: string | null) => `"${(s ?? '').replace(/"/g, '""')}"`;
const figure = (n: number | null) => (n === null ? '' : String(n));

/** `2019-01-11T12:31:54.000Z` -> `2019-01-11 12:31:54` (UTC). */
function strongDate(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
}

export function toStrongCsv(rows: readonly LogRow[]): string {
  const lines = rows.map((r) =>
    [
      strongDate(r.started_at),
      quote(r.workout_name),
      quote(r.exercise_name),
      String(r.set_number),
      figure(r.weight_kg),
      r.weight_kg === null ? '' : 'kg',
      figure(r.reps),
      figure(r.rpe),
      '',
      '',
      figure(r.duration_seconds ?? 0),
      quote(''),
      quote(r.workout_note),
    ].join(';'),
  );
  return `${[STRONG_CSV_HEADER.join(';'), ...lines].join('\n')}\n`;
}
