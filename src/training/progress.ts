/**
 * Progress arithmetic over logged sets, pure. The estimated one-rep max uses Epley's formula,
 * weight x (1 + reps / 30), the one Strong and most trackers show; one rep is the weight itself.
 */
export interface LoggedSet {
  reps: number | null;
  weight_kg: number | null;
  done: boolean;
}

/** Epley's estimate, or null when the set has no weight or no reps. */
export function epley1rm(weightKg: number | null, reps: number | null): number | null {
  if (weightKg === null || reps === null || reps < 1 || weightKg <= 0) return null;
  const estimate = reps === 1 ? weightKg : weightKg * (1 + reps / 30);
  return Math.round(estimate * 100) / 100;
}

/** Sum of reps x weight over the sets that were done. */
export function volumeKg(sets: readonly LoggedSet[]): number {
  const total = sets.filter((s) => s.done).reduce((sum, s) => sum + (s.reps ?? 0) * (s.weight_kg ?? 0), 0);
  return Math.round(total * 100) / 100;
}

export interface Bests {
  best_weight_kg: number | null;
  best_e1rm_kg: number | null;
  most_reps: number | null;
}

/** The records of a group of done sets. */
export function bestsOf(sets: readonly LoggedSet[]): Bests {
  const done = sets.filter((s) => s.done);
  const max = (values: (number | null)[]) => values.reduce<number | null>((m, v) => (v !== null && (m === null || v > m) ? v : m), null);
  return {
    best_weight_kg: max(done.map((s) => (s.reps !== null && s.reps > 0 ? s.weight_kg : null))),
    best_e1rm_kg: max(done.map((s) => epley1rm(s.weight_kg, s.reps))),
    most_reps: max(done.map((s) => s.reps)),
  };
}

/** Which records of `now` beat `before` (a first time with a figure counts as a record). */
export function newRecords(before: Bests, now: Bests): (keyof Bests)[] {
  return (Object.keys(now) as (keyof Bests)[]).filter((k) => now[k] !== null && (before[k] === null || now[k]! > before[k]!));
}
