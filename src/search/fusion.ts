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
  for (const list of lists) {
    const seen = new Set<string>();
    list.ids.forEach((id, i) => {
      if (seen.has(id)) return; // a duplicate keeps its best rank only
      seen.add(id);
      const hit = hits.get(id) ?? { id, score: 0, ranks: {} };
      hit.score += list.weight / (k + i + 1);
      hit.ranks[list.name] = i + 1;
      hits.set(id, hit);
    });
  }
  const bestRank = (h: FusedHit) => Math.min(...Object.values(h.ranks));
  return [...hits.values()].sort((a, b) => b.score - a.score || bestRank(a) - bestRank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
