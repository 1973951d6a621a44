import { readPeople, type PeopleReading } from './people.js';
import { PATTERN_PROFILES } from './phrases.js';
import { FRAME_WORDS, stem, STOP_WORDS, tokenize } from './text.js';
import { conceptWords, findPhrases, getConcept, isTerm, phraseTokens, type ConceptKind, type ConceptMatch } from './vocabulary.js';

/**
 * Reading a whole query: the vocabulary finds phrases, and these general rules of English phrasing
 * then adjust what they mean. Pure; table-tested on sentences of our own.
 *
 * - Degree: a superlative or comparative reduces to its base concept ("toughest" -> tough,
 *   "easier" -> easy); "more/less X than <level>" moves one level up or down from that level, and
 *   "less/least X" turns the direction round.
 * - Negation and contrast ("no", "not", "without", "skip", "avoid", "instead of", "rather than",
 *   "don't") apply to every concept kind up to the end of the clause: a negated concept gets a
 *   negative weight. Negated gear in general ("no equipment", "without weights") means bodyweight;
 *   a negated level means the other levels.
 * - Word sense: a goal verb ("improve", "get better at", "increase", "master") before an exercise
 *   name makes it a goal: the muscles and force behind the exercise count, the name less.
 */
function stemSet(words: string[]): ReadonlySet<string> {
  return new Set(words.map(stem));
}

export interface QueryAnalysis {
  /** Concept -> weight; negative for concepts the query asks to avoid. */
  readonly weights: ReadonlyMap<string, number>;
  /** Indices of `tokenize(query)` tokens inside a negation's reach (full text leaves them out). */
  readonly negatedTokens: ReadonlySet<number>;
  /** Token index spans [start, end] (inclusive) claimed by multi-word phrases. */
  readonly phrases: readonly (readonly [number, number])[];
  /**
   * Concepts an explicit negation rules out (movement patterns, equipment, categories): rows
   * carrying them are excluded, not merely ranked lower. Only the negated thing itself: "no pull-ups"
   * excludes pull-ups, not every exercise for the lats.
   */
  readonly excluded: ReadonlySet<string>;
  /** What the query says about the person and the exercise's profile (people.ts). */
  readonly people: PeopleReading;
  /**
   * Tokens left out of word matching (full text, the embedder's word side): negated words, and
   * words that state a feature of the exercise rather than name it, when the query has other words.
   */
  readonly setAsideTokens: ReadonlySet<number>;
}

const NEGATORS = stemSet(['no', 'not', 'without', 'skip', 'skipping', 'avoid', 'avoiding', 'except', 'excluding', 'exclude', 'minus', 'sans', 'non', 'nothing', 'never', 'nor', 'zero']);

/** "instead of X", "rather than X", "other than X", "apart from X" */
const NEGATOR_PAIRS = new Set<string>(['instead of', 'rather than', 'other than', 'apart from']);
/** The second half of a contraction after tokenizing ("don't" -> don, t). */
const CONTRACTED = stemSet(['don', 'doesn', 'didn', 'can', 'won', 'isn', 'aren', 'shouldn', 'couldn']);
/** Words that end a negation's reach: "no jumping but intense" negates only jumping. */
const SCOPE_END = stemSet(['but', 'and', 'for', 'to', 'that', 'which', 'while', 'so', 'because', 'just', 'only', 'at', 'in', 'on', 'with', 'using', 'instead', 'rather', 'though', 'then']);
const NEGATION_REACH = 5;
/** Words between a negator and what it negates: "nothing that involves jumping", "not with a barbell", "not looking for chair work". */
const LEAD_IN = stemSet(['for', 'with', 'using', 'that', 'which', 'involves', 'involving', 'involve', 'needs', 'need', 'requires', 'require', 'requiring', 'uses', 'use', 'puts', 'put', 'includes', 'include', 'including', 'any', 'anything', 'want', 'wanting', 'like', 'looking', 'interested', 'in', 'into', 'on', 'is', 'are', 'has', 'have', 'do', 'doing', 'a', 'an', 'the', 'my', 'much', 'too', 'more']);
const LEAD_IN_MAX = 4;
/** Share of a situation's implied muscle weights kept when the query names muscles of its own. */
const IMPLIED_SHARE = 0.4;
/** Concept kinds an explicit negation excludes outright; others (muscles, levels, force) are ranked lower. */
const EXCLUDABLE_KINDS = new Set<ConceptKind>(['pattern', 'equipment', 'category']);
/** Words for equipment in general: negated, they mean bodyweight work. */
const GEAR_WORDS = stemSet(['equipment', 'weight', 'weights', 'kit', 'tool', 'tools', 'prop', 'props', 'implement', 'implements', 'apparatus']);
const GOAL_CUES = stemSet(['improve', 'better', 'increase', 'boost', 'master', 'nail', 'achieve', 'accessory', 'accessories', 'assistance', 'carryover', 'first']);
const GOAL_REACH = 3;

const LEVELS = ['beginner', 'intermediate', 'expert'] as const;
const DEGREE_KINDS = new Set<ConceptKind>(['level', 'intensity', 'category']);
const INTENSITY_OPPOSITE: Record<string, string> = { 'low intensity': 'high intensity', 'high intensity': 'low intensity' };

/** The stem of the base word of a superlative or comparative, when it is a vocabulary term of a gradable kind. */
export function degreeBase(word: string): { base: string; degree: 'er' | 'est' } | undefined {
  const m = /^(.{2,}?)(er|est)$/.exec(word);
  if (!m || isTerm(stem(word))) return undefined;
  const root = m[1]!;
  const candidates = [root, `${root}e`, root.endsWith('i') ? `${root.slice(0, -1)}y` : '', /(.)\1$/.test(root) ? root.slice(0, -1) : ''];
  for (const c of candidates) {
    if (c.length < 3 || !isTerm(stem(c))) continue;
    const kinds = findPhrases({ stems: [stem(c)], clause: [0] }).map((x) => getConcept(x.concept)?.kind);
    if (kinds.some((k) => k && DEGREE_KINDS.has(k))) return { base: stem(c), degree: m[2] as 'er' | 'est' };
  }
  return undefined;
}

function levelDirection(m: ConceptMatch[]): number {
  const top = [...m].sort((a, b) => b.weight - a.weight)[0];
  const i = top ? LEVELS.indexOf(top.concept as (typeof LEVELS)[number]) : -1;
  return i < 0 ? 0 : i === 0 ? -1 : 1;
}

function levelStep(level: string, direction: number): ConceptMatch[] {
  const i = LEVELS.indexOf(level as (typeof LEVELS)[number]);
  const to = Math.max(0, Math.min(2, i + direction));
  const next = Math.max(0, Math.min(2, to + direction));
  const out = [{ concept: LEVELS[to]!, weight: 1, start: 0, end: 0 }];
  if (next !== to) out.push({ concept: LEVELS[next]!, weight: 0.4, start: 0, end: 0 });
  return out;
}

/**
 * One search reads its query's analysis four times (full-text terms and expansions, the query
 * embedding, the priors): the last few analyses are kept. Pure, so a kept one is the same answer.
 */
const ANALYSES_KEPT = 64;
const analyses = new Map<string, QueryAnalysis>();

export function analyzeQuery(text: string): QueryAnalysis {
  let analysis = analyses.get(text);
  if (!analysis) {
    analysis = analyze(text);
    if (analyses.size >= ANALYSES_KEPT) analyses.delete(analyses.keys().next().value!);
    analyses.set(text, analysis);
  }
  return analysis;
}

function analyze(text: string): QueryAnalysis {
  const t = phraseTokens(text);
  const raw = t.stems.map((s, i) => ({ raw: s, i }));
  // Degree words become their base so the vocabulary can match them; remember where they were.
  const degrees = new Map<number, 'er' | 'est'>();
  t.stems = t.stems.map((s, i) => {
    const d = degreeBase(s);
    if (!d) return s;
    degrees.set(i, d.degree);
    return d.base;
  });
  const at = (i: number) => t.stems[i];
  // Word sense: a negating verb with words after it negates them ("skip the barbell") rather than
  // naming the concept it can also stand for alone ("skipping" as cardio).
  const negatingVerb = (m: ConceptMatch) =>
    m.end - m.start === 1 && NEGATORS.has(at(m.start)!) && at(m.end) !== undefined && t.clause[m.end] === t.clause[m.start] && !SCOPE_END.has(at(m.end)!);
  let matches = findPhrases(t).filter((m) => !negatingVerb(m));
  const claimed = new Set(matches.flatMap((m) => Array.from({ length: m.end - m.start }, (_, k) => m.start + k)));
  const groups = new Map<number, ConceptMatch[]>();
  for (const m of matches) groups.set(m.start, [...(groups.get(m.start) ?? []), m]);

  // Degree: "more/less X (than L)", "X-er than L", "least X".
  const replaced = new Map<number, ConceptMatch[]>();
  for (const [start, group] of groups) {
    const kinds = new Set(group.map((m) => getConcept(m.concept)?.kind));
    const prev = at(start - 1);
    const inverted = prev === 'less' || prev === 'least';
    const comparative = degrees.get(start) === 'er' || prev === 'more' || prev === 'less';
    if (!degrees.has(start) && !['more', 'less', 'most', 'least'].includes(prev ?? '')) continue;
    const end = group[0]!.end;
    if (kinds.has('level')) {
      const direction = levelDirection(group) * (inverted ? -1 : 1);
      const thanLevel = at(end) === 'than' ? groups.get(end + 1)?.find((m) => getConcept(m.concept)?.kind === 'level') : undefined;
      if (comparative && thanLevel && direction !== 0) {
        replaced.set(start, levelStep(thanLevel.concept, direction).map((m) => ({ ...m, start, end })));
        replaced.set(end + 1, []);
      } else if (prev === 'least') {
        replaced.set(start, [{ concept: direction < 0 ? 'beginner' : 'expert', weight: 1, start, end }]);
      } else if (inverted) {
        replaced.set(start, levelStep(direction < 0 ? 'expert' : 'beginner', direction).map((m) => ({ ...m, start, end })));
      }
    } else if (kinds.has('intensity') && inverted) {
      replaced.set(start, group.map((m) => ({ ...m, concept: INTENSITY_OPPOSITE[m.concept] ?? m.concept })));
    }
  }
  if (replaced.size) matches = [...groups].flatMap(([start, group]) => replaced.get(start) ?? group);

  // Negation and contrast.
  const negatedTokens = new Set<number>();
  const negatedStart = new Set<number>();
  let bodyweight = false;
  for (let i = 0; i < t.stems.length; i++) {
    if (claimed.has(i)) continue;
    const pair = `${raw[i]!.raw} ${at(i + 1) ?? ''}`;
    const isPair = NEGATOR_PAIRS.has(pair);
    const isNegator = NEGATORS.has(raw[i]!.raw) || isPair || (raw[i]!.raw === 't' && CONTRACTED.has(at(i - 1) ?? ''));
    if (!isNegator) continue;
    negatedTokens.add(t.at[i]!);
    if (isPair) negatedTokens.add(t.at[i + 1]!);
    if (raw[i]!.raw === 't') negatedTokens.add(t.at[i - 1]!);
    let k = i + (isPair ? 2 : 1);
    for (let n = 0; n < LEAD_IN_MAX && k < t.stems.length && t.clause[k] === t.clause[i] && LEAD_IN.has(at(k)!); n++) k += 1;
    for (let n = 0; k < t.stems.length && n < NEGATION_REACH && t.clause[k] === t.clause[i] && !SCOPE_END.has(at(k)!); k++, n++) {
      if (GEAR_WORDS.has(at(k)!) && !claimedByLonger(matches, k)) bodyweight = true;
      negatedStart.add(k);
      negatedTokens.add(t.at[k]!);
    }
  }
  const negatedTokenList = new Set([...negatedStart].map((k) => t.at[k]!));
  const people = readPeople(text, negatedTokenList);
  const positive = new Map<string, number>();
  const negative = new Map<string, number>();
  const excluded = new Set<string>();
  // A movement named next to a word of pain ("lunges hurt my knees") is one to avoid, softly, with
  // what its phrase implies ("jumping" is also plyometrics).
  const painful = new Set(
    matches.filter((m) => getConcept(m.concept)?.kind === 'pattern' && m.weight >= 1 && !negatedStart.has(m.start) && people.painTokens.has(t.at[m.start]!)).map((m) => m.start),
  );
  for (const m of matches) {
    const kind = getConcept(m.concept)?.kind;
    if (painful.has(m.start)) {
      if (m.weight >= 1) negative.set(m.concept, Math.max(negative.get(m.concept) ?? 0, 0.7));
      continue;
    }
    if (!negatedStart.has(m.start)) {
      positive.set(m.concept, Math.max(positive.get(m.concept) ?? 0, m.weight));
      continue;
    }
    // Only what is negated is avoided, not a side meaning of its phrase: "not for beginners" is not
    // "not intermediate", "no pull-ups" is not "no pulling".
    if (m.weight < 1) continue;
    if (bodyweight && (kind === 'category' || m.concept === 'bodyweight') && GEAR_WORDS.has(at(m.start)!)) continue;
    negative.set(m.concept, Math.max(negative.get(m.concept) ?? 0, m.weight));
    if (kind && EXCLUDABLE_KINDS.has(kind)) excluded.add(m.concept);
  }
  // What a situation implies counts less once the query names muscles itself: "calf stretches for
  // runners" is about calves, not every muscle running uses.
  const namesMuscles = [...positive].some(([id, w]) => w >= 0.75 && getConcept(id)?.kind === 'muscle');
  for (const [id, w] of people.concepts) {
    if (negative.has(id)) continue;
    const scaled = namesMuscles && getConcept(id)?.kind === 'muscle' ? w * IMPLIED_SHARE : w;
    positive.set(id, Math.max(positive.get(id) ?? 0, scaled));
  }
  const negatedLevels = LEVELS.filter((l) => negative.has(l) && !positive.has(l));
  if (negatedLevels.length) for (const l of LEVELS) if (!negatedLevels.includes(l)) positive.set(l, Math.max(positive.get(l) ?? 0, 0.5));
  if (bodyweight) positive.set('bodyweight', 1);

  // Word sense: a goal verb before an exercise name.
  for (const m of matches) {
    const profile = PATTERN_PROFILES[m.concept];
    if (!profile || m.weight < 1 || negatedStart.has(m.start)) continue;
    const before = raw.slice(Math.max(0, m.start - GOAL_REACH), m.start).filter((r) => t.clause[r.i] === t.clause[m.start]);
    if (!before.some((r) => GOAL_CUES.has(r.raw))) continue;
    positive.set(m.concept, 0.5);
    for (const [id, w] of Object.entries(profile)) positive.set(id, Math.max(positive.get(id) ?? 0, w));
  }

  const weights = new Map(positive);
  for (const [id, w] of negative) if (!positive.has(id)) weights.set(id, -w);
  const phrases = matches
    .filter((m) => m.end - m.start > 1)
    .map((m) => [t.at[m.start]!, t.at[m.end - 1]!] as [number, number])
    .filter((p, i, all) => all.findIndex((q) => q[0] === p[0]) === i);
  const setAsideTokens = new Set(negatedTokens);
  const words = tokenize(text).filter((w, i) => !negatedTokens.has(i) && !people.featureTokens.has(i) && !STOP_WORDS.has(w) && !FRAME_WORDS.has(w));
  if (words.length > 0) for (const i of people.featureTokens) setAsideTokens.add(i);
  for (const id of excluded) if (positive.has(id)) excluded.delete(id);
  return { weights, negatedTokens, phrases, excluded, people, setAsideTokens };
}

function claimedByLonger(matches: ConceptMatch[], k: number): boolean {
  return matches.some((m) => m.start <= k && k < m.end && m.end - m.start > 1);
}

/** Concept weights of a query after the phrasing rules (negative: asked to avoid). */
export function conceptWeights(text: string): ReadonlyMap<string, number> {
  return analyzeQuery(text).weights;
}

/**
 * Words to add to a full-text query for the concepts a user named: the canonical words of each
 * concept matched at full strength ("pecs" -> chest pec pectoral). Spread-out region weights
 * (legs -> calves 0.4) are left to the vector side, which can weigh them.
 */
export function expansionWords(text: string, minWeight = 0.75): string[] {
  const words = new Set<string>();
  for (const [id, weight] of conceptWeights(text)) {
    if (weight < minWeight) continue;
    const kind = getConcept(id)?.kind;
    if (!kind || kind === 'level' || kind === 'intensity') continue;
    for (const w of conceptWords(id)) words.add(w);
  }
  return [...words];
}
