import type { Queryable } from '../database/db.js';
import type { LibraryMirror } from '../database/mirror.js';
import { factsOf, type CandidateFacts } from './hybrid.js';

/** The few fields the hybrid ranking's priors and tie-breaks read, for a set of candidate ids. */
export async function candidateFacts(
  db: Queryable,
  ids: readonly string[],
  mirror: LibraryMirror | null = null,
): Promise<Map<string, CandidateFacts>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const snap = mirror ? await mirror.read(unique) : null;
  if (snap) {
    return new Map(
      unique.flatMap((id) => {
        const e = snap.get(id)?.exercise;
        if (!e) return [];
        return [[e.id, factsOf(e)]] as const;
      }),
    );
  }
  const rows = await db.query<Parameters<typeof factsOf>[0] & { id: string }>(
    `SELECT id, exercise_name, how_to, category, equipment, primary_muscles, secondary_muscles, force, mechanic, fitness_level
     FROM exercises WHERE id = ANY($1::uuid[])`,
    [unique],
  );
  return new Map(rows.map((r) => [String(r.id), factsOf({ ...r, fitness_level: r.fitness_level == null ? null : Number(r.fitness_level) })]));
}
