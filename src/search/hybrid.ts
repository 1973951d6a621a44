import { bestRank, fuseRankings, RRF_K, type FusedHit } from './fusion.js';
import { contentStems, FRAME_WORDS, stem, STOP_WORDS, tokenize } from '../language/text.js';
import { conceptWeights } from '../language/query.js';
import { analyzeQuery } from '../language/query.js';
import { exerciseProfile, profileTags, type ExerciseProfile, type ProfileSource } from '../language/profile.js';
import { conceptForValue, getConcept, levelConcept, phraseWeights } from '../language/vocabulary.js';

/**
 * The served hybrid ranking after retrieval, pure: each ranker's candidates in a stable order,
 * weighted rank fusion, then two priors read from the query, then a stable final order.
 *
 * - Category prior: a query that names no stretching, mobility or foam-roll concept wants training
 *   movements, so stretches (and foam rolling) rank below them; a query that names one wants the
 *   reverse. Its weight is fitted by cross-validation in `bench/quality.ts`.
 * - Negation: rows whose own tags or name carry a concept the query asks to avoid ("without
 *   jumping", "skip the barbell") rank lower.
 *
 * Ties break on the exercise name, then the id, so the same library and query give the same order
 * on every import and machine (ids are random per import; names are the data).
 */
export interface CandidateFacts {
  name: string;
  category: string | null;
  equipment: string | null;
  primary_muscles: readonly string[] | null;
  force: string | null;
  mechanic: string | null;
  fitness_level: number | null;
  /** What doing the exercise asks (language/profile.ts). */
  profile: ExerciseProfile;
  /** The profile's tags and `concept:<id>` for the row's own concepts: what query preferences are stated over. */
  tags: ReadonlySet<string>;
}

/** A row's facts, the same on every path (database rows and the in-memory library). */
export function factsOf(
  row: ProfileSource & Pick<CandidateFacts, 'category' | 'equipment' | 'force' | 'mechanic' | 'fitness_level'> & { primary_muscles: readonly string[] | null },
): CandidateFacts {
  const base = {
    name: row.exercise_name,
    category: row.category,
    equipment: row.equipment,
    primary_muscles: row.primary_muscles,
    force: row.force,
    mechanic: row.mechanic,
    fitness_level: row.fitness_level,
  };
  const profile = exerciseProfile(row);
  const tags = profileTags(profile);
  for (const id of rowConcepts(base)) tags.add(`concept:${id}`);
  return { ...base, profile, tags };
}

export interface HybridParams {
  /** Fusion weights of the two rankers. */
  fulltext: number;
  vector: number;
  /** Share of the fused score a row loses when its stretch-or-not kind is not what the query asks. */
  categoryPrior: number;
  /** Share of the fused score a row loses for each kind of concept it carries that the query avoids. */
  negationPenalty: number;
}

/**
 * Served values. Fusion: the vector side carries the vocabulary's concepts and is the better single
 * ranker on natural-language queries; full text adds exact names and rare words. The full-text
 * weight and the category prior are what `npm run bench:quality` picks on all development queries
 * from a small grid; the figure it reports for them is 5-fold cross-validated (picked on four folds,
 * scored on the fifth). The negation penalty is set, not fitted: the development queries barely
 * use negation.
 */
export const HYBRID_PARAMS: HybridParams = { fulltext: 0.25, vector: 1, categoryPrior: 0.2, negationPenalty: 0.5 };

export interface RankedCandidates {
  name: string;
  weight: number;
  /** Higher score is better; any scale. */
  hits: readonly { id: string; score: number }[];
}

export interface QueryIntent {
  wantsStretch: boolean;
  /** Concepts the query asks to avoid. */
  avoid: ReadonlySet<string>;
  /** Concepts an explicit negation rules out: rows carrying one are dropped. */
  excluded?: ReadonlySet<string>;
  /** Profile or concept tags a negated feature rules out ("no jumping": impact:jumping). */
  excludedTags?: ReadonlySet<string>;
  /** Soft preferences: tag -> weight (a row carrying the tag has its score times 1 + weight). */
  prefer?: ReadonlyMap<string, number>;
  /** The query's content stems, for exact and near-exact names. */
  stems?: readonly string[];
}

/**
 * A row whose name is the query (the same content words) comes first; one whose name holds every
 * word of a query of two or more words plus at most one more ("hip thrusts": "Barbell Hip Thrust")
 * ranks higher. Names are what people type when they know what they want.
 */
export const EXACT_NAME_BOOST = 4;
export const NEAR_NAME_BOOST = 1.5;

export function nameMatch(name: string, stems: readonly string[]): 'exact' | 'near' | null {
  if (stems.length === 0) return null;
  const own = new Set(contentStems(name));
  const asked = new Set(stems);
  if (![...asked].every((w) => own.has(w))) return null;
  if (own.size === asked.size) return 'exact';
  return asked.size >= 2 && own.size - asked.size <= 1 ? 'near' : null;
}

/** A penalty never takes more than this share of a score: preferences rank, only exclusions remove. */
export const PREFERENCE_FLOOR = 0.15;

const STRETCH_CONCEPTS = ['stretching', 'foam roll'];

export function queryIntent(query: string): QueryIntent {
  const weights = conceptWeights(query);
  const wantsStretch = STRETCH_CONCEPTS.some((id) => (weights.get(id) ?? 0) >= 0.5);
  const analysis = analyzeQuery(query);
  const excluded = analysis.excluded;
  const avoid = new Set([...weights].filter(([id, w]) => w <= -0.5 && !excluded.has(id)).map(([id]) => id));
  const stems = tokenize(query).flatMap((t, i) => (analysis.negatedTokens.has(i) || STOP_WORDS.has(t) || FRAME_WORDS.has(t) ? [] : [stem(t)]));
  return { wantsStretch, avoid, excluded, excludedTags: analysis.people.exclude, prefer: analysis.people.prefer, stems };
}

const STRETCHING = /^stretching$/i;
const FOAM_ROLL = /^foam roll$/i;
export function isStretchLike(row: Pick<CandidateFacts, 'category' | 'equipment'>): boolean {
  return (row.category !== null && STRETCHING.test(row.category)) || (row.equipment !== null && FOAM_ROLL.test(row.equipment));
}

/** Concepts a row carries by its own tags, and the movement patterns its name states. */
export function rowConcepts(row: Omit<CandidateFacts, 'profile' | 'tags'>): Set<string> {
  const ids = [
    conceptForValue('category', row.category),
    conceptForValue('equipment', row.equipment),
    conceptForValue('force', row.force),
    conceptForValue('mechanic', row.mechanic),
    levelConcept(row.fitness_level),
    ...(row.primary_muscles ?? []).map((m) => conceptForValue('muscle', m)),
  ];
  for (const [id, w] of phraseWeights(row.name)) if (w >= 1 && getConcept(id)?.kind === 'pattern') ids.push(id);
  return new Set(ids.filter((id): id is string => id !== undefined));
}

/** The multiplier the priors give a row (1 = untouched, 0 = excluded). */
export function priorFactor(row: CandidateFacts, intent: QueryIntent, params: Pick<HybridParams, 'categoryPrior' | 'negationPenalty'>): number {
  for (const id of intent.excluded ?? []) if (row.tags.has(`concept:${id}`)) return 0;
  for (const tag of intent.excludedTags ?? []) if (row.tags.has(tag)) return 0;
  let factor = isStretchLike(row) === intent.wantsStretch ? 1 : 1 - params.categoryPrior;
  for (const id of intent.avoid) if (row.tags.has(`concept:${id}`)) factor *= 1 - params.negationPenalty;
  let preference = 1;
  for (const [tag, w] of intent.prefer ?? []) if (row.tags.has(tag)) preference *= 1 + w;
  const named = intent.stems ? nameMatch(row.name, intent.stems) : null;
  const name = named === 'exact' ? EXACT_NAME_BOOST : named === 'near' ? NEAR_NAME_BOOST : 1;
  return factor * Math.max(PREFERENCE_FLOOR, preference) * name;
}

/**
 * Why a query gets no results, or undefined when it has some meaning: no word of it occurs in
 * any row's text (full text found nothing) and none means anything to the vocabulary or the
 * query rules (no concept, preference or exclusion). A vector search always returns nearest rows,
 * even for keyboard mash, so its answer alone is not evidence.
 */
export function noGoodMatch(query: string, fulltextHits: number): string | undefined {
  if (fulltextHits > 0) return undefined;
  const a = analyzeQuery(query);
  const meaning = [...a.weights.values()].some((w) => w > 0) || a.excluded.size > 0 || a.people.prefer.size > 0 || a.people.exclude.size > 0;
  return meaning ? undefined : 'No good match: no word of the query occurs in the library, and none names a muscle, equipment, movement or situation the search knows.';
}

export function compareByName(a: { id: string; name: string }, b: { id: string; name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The served relevance score, in [0, 1]: the fused score with every prior applied, as a share of
 * the best a row can get (first in every ranker that answered, every stated preference met,
 * nothing against it), capped at 1 (a name boost can pass it: an exact name scores 1). The same scale whatever rankers answered, so a
 * `score_threshold` means the same on every path.
 */
export function rankHybrid(
  lists: readonly RankedCandidates[],
  facts: ReadonlyMap<string, CandidateFacts>,
  intent: QueryIntent,
  params: Pick<HybridParams, 'categoryPrior' | 'negationPenalty'>,
): FusedHit[] {
  const name = (id: string) => facts.get(id)?.name ?? '';
  const byName = (a: string, b: string) => compareByName({ id: a, name: name(a) }, { id: b, name: name(b) });
  const stable = lists.map((l) => ({
    name: l.name,
    weight: l.weight,
    ids: [...l.hits].sort((a, b) => b.score - a.score || byName(a.id, b.id)).map((h) => h.id),
  }));
  // The best a row can get: first in every ranker that answered, and every stated preference met.
  let mostBoost = 1;
  for (const w of intent.prefer?.values() ?? []) if (w > 0) mostBoost *= 1 + w;
  const ideal = (lists.reduce((sum, l) => sum + (l.hits.length > 0 ? l.weight : 0), 0) / (RRF_K + 1)) * mostBoost;
  const fused = fuseRankings(stable).flatMap((hit) => {
    const row = facts.get(hit.id);
    // The hits are fuseRankings' own, fresh for this call.
    if (row) hit.score *= priorFactor(row, intent, params);
    return hit.score > 0 ? [{ hit, best: bestRank(hit) }] : [];
  });
  return fused
    .sort((a, b) => b.hit.score - a.hit.score || a.best - b.best || byName(a.hit.id, b.hit.id))
    .map(({ hit }) => {
      hit.score = ideal > 0 ? Math.min(1, hit.score / ideal) : 0;
      return hit;
    });
}
