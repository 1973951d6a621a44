import { PHRASES, type Weights } from './phrases.js';
import { stem, tokenize } from './text.js';

/**
 * A small fitness vocabulary: the concepts exercises are described by (muscle groups, equipment,
 * training categories, levels, force, mechanics, movement patterns, intensity), the taxonomy
 * values our rows use for each, and the everyday words and phrases people use for them
 * (`phrases.ts`: "pecs", "hammies", "calisthenics", "novice", "skull crusher").
 *
 * What it is: general domain knowledge written once, shared by the offline embedder (one vector
 * dimension per concept) and by full-text search (query expansion, and synonyms written into
 * each exercise's document so "pectoral" finds exercises tagged `chest`). The rules that read a
 * whole query (negation, comparatives, goals) live in `query.ts`.
 * What it is not: a neural model or a thesaurus of English. It understands no paraphrase beyond
 * the phrases listed here, and it must stay general: an entry belongs here only if it is true
 * of fitness language in general, never to make one particular query rank well.
 */

export type ConceptKind = 'muscle' | 'equipment' | 'category' | 'level' | 'force' | 'mechanic' | 'pattern' | 'intensity';

export interface Concept {
  id: string;
  kind: ConceptKind;
  /** Taxonomy values (lower case) that mean this concept in our rows. */
  values: string[];
  /** Words for full-text search: added to the document of a row with this concept, and to a query that names it. */
  words: string[];
}

const concept = (kind: ConceptKind, id: string, words: string[], values: string[] = [id]): Concept => ({ id, kind, values, words });

export const CONCEPTS: readonly Concept[] = [
  // muscles: taxonomy values of free-exercise-db, which our pipeline also uses
  concept('muscle', 'chest', ['chest', 'pec', 'pectoral']),
  concept('muscle', 'shoulders', ['shoulder', 'delt', 'deltoid']),
  concept('muscle', 'lats', ['lats', 'latissimus']),
  concept('muscle', 'middle back', ['middle back', 'upper back', 'rhomboid']),
  concept('muscle', 'lower back', ['lower back', 'erector', 'lumbar']),
  concept('muscle', 'traps', ['trap', 'trapezius']),
  concept('muscle', 'biceps', ['bicep']),
  concept('muscle', 'triceps', ['tricep']),
  concept('muscle', 'forearms', ['forearm', 'grip']),
  concept('muscle', 'abdominals', ['abs', 'abdominal', 'core']),
  concept('muscle', 'quadriceps', ['quadricep', 'quad']),
  concept('muscle', 'hamstrings', ['hamstring']),
  concept('muscle', 'glutes', ['glute', 'gluteus']),
  concept('muscle', 'calves', ['calf']),
  concept('muscle', 'adductors', ['adductor', 'groin']),
  concept('muscle', 'abductors', ['abductor', 'outer hip']),
  concept('muscle', 'neck', ['neck']),
  // equipment; a missing value is treated as no equipment (most such rows are stretches)
  concept('equipment', 'barbell', ['barbell']),
  concept('equipment', 'dumbbell', ['dumbbell']),
  concept('equipment', 'kettlebells', ['kettlebell']),
  concept('equipment', 'cable', ['cable', 'pulley']),
  concept('equipment', 'machine', ['machine']),
  concept('equipment', 'bands', ['band']),
  concept('equipment', 'medicine ball', ['medicine ball']),
  concept('equipment', 'exercise ball', ['exercise ball', 'stability ball', 'swiss ball']),
  concept('equipment', 'foam roll', ['foam roll', 'foam roller', 'myofascial']),
  concept('equipment', 'e-z curl bar', ['ez bar', 'curl bar']),
  concept('equipment', 'bodyweight', ['bodyweight', 'body weight'], ['body only', 'none', 'bodyweight']),
  // training categories
  concept('category', 'strength', ['strength']),
  concept('category', 'stretching', ['stretch', 'flexibility', 'mobility']),
  concept('category', 'plyometrics', ['plyometric', 'explosive']),
  concept('category', 'cardio', ['cardio', 'conditioning']),
  concept('category', 'powerlifting', ['powerlifting']),
  concept('category', 'olympic weightlifting', ['olympic', 'weightlifting']),
  concept('category', 'strongman', ['strongman']),
  // levels, from the 0-10 fitness level
  concept('level', 'beginner', ['beginner']),
  concept('level', 'intermediate', ['intermediate']),
  concept('level', 'expert', ['advanced', 'expert']),
  // force and mechanics
  concept('force', 'push', ['push']),
  concept('force', 'pull', ['pull']),
  concept('force', 'static', ['hold', 'isometric'], ['static']),
  concept('mechanic', 'compound', ['compound', 'multi joint']),
  concept('mechanic', 'isolation', ['isolation', 'single joint']),
  // movement patterns (recognised in names and text, not taxonomy values)
  concept('pattern', 'squat', ['squat'], []),
  concept('pattern', 'hinge', ['hinge', 'deadlift'], []),
  concept('pattern', 'lunge', ['lunge', 'split squat', 'step up'], []),
  concept('pattern', 'push-up', ['push up', 'pushup'], []),
  concept('pattern', 'press', ['press'], []),
  concept('pattern', 'row', ['row'], []),
  concept('pattern', 'pull-up', ['pull up', 'chin up', 'pulldown'], []),
  concept('pattern', 'curl', ['curl'], []),
  concept('pattern', 'extension', ['extension'], []),
  concept('pattern', 'raise', ['raise'], []),
  concept('pattern', 'fly', ['fly', 'flye'], []),
  concept('pattern', 'carry', ['carry', 'loaded carry'], []),
  concept('pattern', 'rotation', ['rotation', 'twist'], []),
  concept('pattern', 'anti-rotation', ['pallof', 'anti rotation'], []),
  concept('pattern', 'jump', ['jump', 'hop', 'bound'], []),
  concept('pattern', 'throw', ['throw', 'toss', 'slam'], []),
  concept('pattern', 'plank', ['plank'], []),
  concept('pattern', 'bridge', ['bridge', 'hip thrust'], []),
  concept('pattern', 'shrug', ['shrug'], []),
  concept('pattern', 'crunch', ['crunch', 'sit up'], []),
  concept('pattern', 'dip', ['dip'], []),
  concept('pattern', 'swing', ['swing'], []),
  concept('pattern', 'olympic lift', ['snatch', 'clean', 'jerk'], []),
  concept('pattern', 'sprint', ['sprint', 'run'], []),
  concept('intensity', 'low intensity', ['gentle', 'low impact'], []),
  concept('intensity', 'high intensity', ['intense', 'high intensity'], []),
];

export const CONCEPT_INDEX: ReadonlyMap<string, number> = new Map(CONCEPTS.map((c, i) => [c.id, i]));

/** Taxonomy value (any field) -> concept id. */
const BY_VALUE = new Map<string, string>();
for (const c of CONCEPTS) for (const v of c.values) BY_VALUE.set(`${c.kind}:${v}`, c.id);

/** The concept a taxonomy value stands for, e.g. ('muscle', 'Chest') -> 'chest'. */
export function conceptForValue(kind: ConceptKind, value: string | null | undefined): string | undefined {
  if (kind === 'equipment' && (value == null || value.trim() === '')) return 'bodyweight';
  if (value == null) return undefined;
  return BY_VALUE.get(`${kind}:${value.trim().toLowerCase()}`);
}

/** Level words for the 0-10 scale: thirds, as the catalogue import maps them (2, 5, 8). */
export function levelConcept(level: number | null | undefined): 'beginner' | 'intermediate' | 'expert' | undefined {
  if (level == null) return undefined;
  if (level <= 3) return 'beginner';
  if (level <= 6) return 'intermediate';
  return 'expert';
}

export function intensityConcept(intensity: number | null | undefined): 'low intensity' | 'high intensity' | undefined {
  if (intensity == null) return undefined;
  if (intensity <= 3) return 'low intensity';
  if (intensity >= 7) return 'high intensity';
  return undefined;
}

export interface ConceptMatch {
  concept: string;
  weight: number;
  /** Positions [start, end) in the phrase tokens (fillers removed). */
  start: number;
  end: number;
}

/** Fillers skipped inside phrases so "front of your thigh" matches "front of thigh". */
export const FILLERS: ReadonlySet<string> = new Set(['my', 'your', 'the', 'a', 'an', 'his', 'her', 'their', 'our', 'any', 'some']);

interface Phrase {
  stems: string[];
  weights: Weights;
}

function stemKey(term: string): string {
  return tokenize(term)
    .filter((t) => !FILLERS.has(t))
    .map(stem)
    .join(' ');
}

const PHRASE_TERMS = new Set(PHRASES.flatMap(([terms]) => terms.map(stemKey)));

function compilePhrases(): Map<string, Phrase[]> {
  const all: Phrase[] = [];
  const seen = new Set<string>();
  const add = (term: string, weights: Weights) => {
    const s = stemKey(term).split(' ').filter(Boolean);
    const key = `${s.join(' ')}|${JSON.stringify(weights)}`;
    if (s.length === 0 || seen.has(key)) return;
    seen.add(key);
    all.push({ stems: s, weights });
  };
  for (const [terms, weights] of PHRASES) for (const t of terms) add(t, weights);
  for (const c of CONCEPTS) for (const w of [c.id, ...c.words]) if (!PHRASE_TERMS.has(stemKey(w))) add(w, { [c.id]: 1 });
  const byFirst = new Map<string, Phrase[]>();
  for (const p of all) {
    const list = byFirst.get(p.stems[0]!) ?? [];
    list.push(p);
    byFirst.set(p.stems[0]!, list);
  }
  return byFirst;
}

const PHRASES_BY_FIRST = compilePhrases();

/** Whether a stem is a one-word vocabulary term (the comparative rule reduces "tougher" to one). */
export function isTerm(stemmed: string): boolean {
  return PHRASE_TERMS.has(stemmed) || (PHRASES_BY_FIRST.get(stemmed) ?? []).some((p) => p.stems.length === 1);
}

/** Stems with fillers removed, the original token index of each, and its clause number. */
export interface PhraseTokens {
  stems: string[];
  at: number[];
  clause: number[];
}

/** Clause breaks (punctuation) end phrases and the reach of negations. */
const CLAUSE_BREAK = /[,.;:!?()\n]+/;

export function phraseTokens(text: string): PhraseTokens {
  const out: PhraseTokens = { stems: [], at: [], clause: [] };
  let index = 0;
  text.split(CLAUSE_BREAK).forEach((part, clause) => {
    for (const t of tokenize(part)) {
      if (!FILLERS.has(t)) {
        out.stems.push(stem(t));
        out.at.push(index);
        out.clause.push(clause);
      }
      index += 1;
    }
  });
  return out;
}

/**
 * Vocabulary phrases in tokens, longest first and without overlaps: a multi-word phrase claims its
 * words before any shorter phrase can ("calf raise" is one concept, its "raise" fires nothing else).
 */
export function findPhrases(t: Pick<PhraseTokens, 'stems' | 'clause'>): ConceptMatch[] {
  const s = t.stems;
  const found: { start: number; end: number; phrase: Phrase }[] = [];
  for (let i = 0; i < s.length; i++) {
    for (const p of PHRASES_BY_FIRST.get(s[i]!) ?? []) {
      const end = i + p.stems.length;
      if (end > s.length || t.clause[end - 1] !== t.clause[i]) continue;
      if (p.stems.every((w, k) => s[i + k] === w)) found.push({ start: i, end, phrase: p });
    }
  }
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const claimed = new Set<number>();
  const matches: ConceptMatch[] = [];
  for (const f of found) {
    let free = true;
    for (let k = f.start; k < f.end; k++) if (claimed.has(k)) free = false;
    if (!free) continue;
    for (let k = f.start; k < f.end; k++) claimed.add(k);
    for (const [concept, weight] of Object.entries(f.phrase.weights)) matches.push({ concept, weight, start: f.start, end: f.end });
  }
  return matches.sort((a, b) => a.start - b.start);
}

/** The vocabulary phrases a text names, in text order (no query rules: see `query.ts`). */
export function matchConcepts(text: string): ConceptMatch[] {
  return findPhrases(phraseTokens(text));
}

/** Concepts a text names by phrase alone, each at its strongest weight (no query rules). */
export function phraseWeights(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of findPhrases(phraseTokens(text))) out.set(m.concept, Math.max(out.get(m.concept) ?? 0, m.weight));
  return out;
}

const BY_ID = new Map(CONCEPTS.map((c) => [c.id, c]));

export function getConcept(id: string): Concept | undefined {
  return BY_ID.get(id);
}

/** The words of a concept for full-text search: its taxonomy values and its own words. */
export function conceptWords(id: string): string[] {
  const c = BY_ID.get(id);
  if (!c) return [];
  return [...c.values.filter((v) => v !== 'none' && v !== 'body only'), ...c.words];
}

/**
 * Synonyms to write into an exercise's document for its taxonomy values, so everyday words find
 * it. Only each concept's own precise words: region words ("back", "leg") are shared by several
 * groups and are expanded at query time instead, so they do not make every row of a group alike.
 */
export function taxonomySynonyms(values: { kind: ConceptKind; value: string | null | undefined }[]): string[] {
  const words = new Set<string>();
  for (const { kind, value } of values) {
    const id = conceptForValue(kind, value);
    const c = id ? BY_ID.get(id) : undefined;
    if (c) for (const w of c.words) words.add(w);
  }
  return [...words];
}

/** The main movement pattern named in an exercise name ("Dumbbell Walking Lunge" -> lunge), if any. */
export function movementPattern(name: string): string | undefined {
  const match = findPhrases(phraseTokens(name)).find((m) => m.weight >= 1 && BY_ID.get(m.concept)?.kind === 'pattern');
  return match?.concept;
}

/** Phrases that stem to the same words but mean different things (a vocabulary mistake; tested to be none). */
export function vocabularyConflicts(): string[] {
  const meaning = new Map<string, string>();
  const conflicts: string[] = [];
  for (const [terms, weights] of PHRASES) {
    for (const term of terms) {
      const key = stemKey(term);
      const value = JSON.stringify(weights);
      const seen = meaning.get(key);
      if (seen !== undefined && seen !== value) conflicts.push(`${term} (${key})`);
      meaning.set(key, value);
    }
  }
  return conflicts;
}
