/**
 * Diverse selection: maximal marginal relevance over candidates' embeddings, with caps per
 * source video and per movement pattern so a routine is not five squats from one video. Pure.
 *
 * Each step picks the candidate maximising
 *   lambda * relevance - (1 - lambda) * (max cosine similarity to anything already picked)
 * among those still under both caps. When the caps leave too few candidates they are relaxed
 * rather than returning fewer items than asked for and available. Equal scores keep the
 * candidates' own order (the caller's ranking, itself tie-broken by name), so picks are reproducible.
 */
export interface DiversityCandidate {
  id: string;
  /** Higher is more relevant; any scale (normalized here to 0..1). */
  relevance: number;
  /** Unit-length embedding, or undefined when the index has none (similarity then counts as 0). */
  vector?: readonly number[];
  /** Source video (normalized URL). */
  group?: string;
  /** Movement pattern, e.g. "squat". */
  pattern?: string;
}

export interface DiversityOptions {
  count: number;
  /** 0 = pure relevance, 1 = pure novelty. */
  diversity: number;
  maxPerGroup?: number;
  maxPerPattern?: number;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function normalizedRelevance(candidates: readonly DiversityCandidate[]): Map<string, number> {
  const values = candidates.map((c) => c.relevance);
  const min = Math.min(...values);
  const span = Math.max(...values) - min;
  return new Map(candidates.map((c) => [c.id, span > 0 ? (c.relevance - min) / span : 1]));
}

export function selectDiverse<T extends DiversityCandidate>(candidates: readonly T[], options: DiversityOptions): T[] {
  const lambda = 1 - Math.min(1, Math.max(0, options.diversity));
  const relevance = normalizedRelevance(candidates);
  const maxSim = new Map(candidates.map((c) => [c.id, 0]));
  const perGroup = new Map<string, number>();
  const perPattern = new Map<string, number>();
  const picked: T[] = [];
  const left = new Set(candidates);
  const underCaps = (c: T) =>
    (c.group === undefined || options.maxPerGroup === undefined || (perGroup.get(c.group) ?? 0) < options.maxPerGroup) &&
    (c.pattern === undefined || options.maxPerPattern === undefined || (perPattern.get(c.pattern) ?? 0) < options.maxPerPattern);
  while (picked.length < options.count && left.size > 0) {
    const pool = [...left].filter(underCaps);
    const from = pool.length > 0 ? pool : [...left];
    let best: T | undefined;
    let bestScore = -Infinity;
    for (const c of from) {
      const score = lambda * relevance.get(c.id)! - (1 - lambda) * maxSim.get(c.id)!;
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    const chosen = best!;
    picked.push(chosen);
    left.delete(chosen);
    if (chosen.group !== undefined) perGroup.set(chosen.group, (perGroup.get(chosen.group) ?? 0) + 1);
    if (chosen.pattern !== undefined) perPattern.set(chosen.pattern, (perPattern.get(chosen.pattern) ?? 0) + 1);
    if (chosen.vector) {
      for (const c of left) {
        if (c.vector) maxSim.set(c.id, Math.max(maxSim.get(c.id)!, cosine(chosen.vector, c.vector)));
      }
    }
  }
  return picked;
}
