/**
 * Weighted reciprocal rank fusion: each ranker gives ranked ids; an id scores
 * sum(weight / (k + rank)) over the rankers that found it (rank 1-based). Ranks, not raw scores,
 * are fused because full-text ranks and cosine similarities live on unrelated scales. Pure.
 */
export interface RankedList {
  name: string;
  /** Relative trust in this ranker; 1 is plain RRF. */
  weight: number;
  /** Best first. */
  ids: readonly string[];
}

export interface FusedHit {
  id: string;
  score: number;
  /** 1-based rank in each list that found the id. */
  ranks: Record<string, number>;
}

/** The usual RRF constant: damps the difference between rank 1 and rank 2. */
export const RRF_K = 60;

export function fuseRankings(lists: readonly RankedList[], k = RRF_K): FusedHit[] {
  const hits = new Map<string, FusedHit>();
  const best = new Map<string, number>();
  for (const list of lists) {
    list.ids.forEach((id, i) => {
      let hit = hits.get(id);
      if (!hit) hits.set(id, (hit = { id, score: 0, ranks: {} }));
      else if (hit.ranks[list.name] !== undefined) return; // a duplicate keeps its best rank only
      hit.score += list.weight / (k + i + 1);
      hit.ranks[list.name] = i + 1;
      best.set(id, Math.min(best.get(id) ?? Infinity, i + 1));
    });
  }
  return [...hits.values()].sort((a, b) => b.score - a.score || best.get(a.id)! - best.get(b.id)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The best (lowest) 1-based rank a fused hit had in any list. */
export function bestRank(hit: FusedHit): number {
  let best = Infinity;
  for (const name in hit.ranks) best = Math.min(best, hit.ranks[name]!);
  return best;
}
