import { CHUNK_LABELS } from '../language/chunk.js';
import { analyzeQuery } from '../language/query.js';
import { contentStems, FRAME_WORDS, stem, STOP_WORDS, tokenize } from '../language/text.js';
import {
  CONCEPTS,
  CONCEPT_INDEX,
  conceptForValue,
  intensityConcept,
  levelConcept,
  phraseWeights,
  type ConceptKind,
} from '../language/vocabulary.js';
import type { EmbedKind, Embedder } from './types.js';

/**
 * The default embedder: built in, keyless, deterministic, no download and no server.
 *
 * What it is: a lexical-conceptual vector. One block has a dimension per concept of the fitness
 * vocabulary (`src/language/vocabulary.ts`: muscles with their everyday names, equipment, training
 * categories, levels, force, movement patterns), so "pecs", "chest" and a row tagged `chest`
 * land on the same axis; the other block hashes word stems and word pairs, so names and
 * instructions still count. Each block is unit length and weighted, and the whole is L2-normalized.
 * It reads the labelled lines that `buildExerciseChunk` writes ("Primary muscles: chest") and
 * weighs each field; any other text (a query) is matched against the vocabulary phrases.
 *
 * What it is not: a neural model. It has no understanding of paraphrase beyond the phrases in
 * the vocabulary, and none of word order beyond adjacent pairs. Use `openai` or `local` for that.
 */
export const OFFLINE_MODEL = 'offline:fitness-lexical-v2';
export const OFFLINE_DIMENSIONS = 384;

const CONCEPT_DIMS = CONCEPTS.length;
const HASH_DIMS = OFFLINE_DIMENSIONS - CONCEPT_DIMS;

/** Share of the vector given to concepts vs words (squared weights sum to 1). */
const CONCEPT_SHARE = 0.8;
const WORD_SHARE = Math.sqrt(1 - CONCEPT_SHARE ** 2);

/** How much each labelled field counts on the concept axes. */
const FIELD_WEIGHTS = {
  primary: 1,
  secondary: 0.3,
  equipment: 0.9,
  category: 0.9,
  level: 0.6,
  intensity: 0.3,
  force: 0.5,
  mechanic: 0.35,
  name: 0.7,
  text: 0.12,
} as const;

/** Word weights: the name says most about an exercise; pairs keep "push up" apart from "push" and "up". */
const NAME_WORD_WEIGHT = 2.5;
const TEXT_WORD_WEIGHT = 1;
const BIGRAM_FACTOR = 0.6;

/** Words every instruction uses; they would otherwise make all exercises look alike. */
const INSTRUCTION_BOILERPLATE = new Set(
  `start position repeat return recommend recommended amount desir complet breath breathe exhale inhale
  ensur sure begin rep repetition time set each one two both slight slightly allow until once again
  bodi starting motion movement count second make keep step use side lower top bottom`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * A query names few concepts; when it names no training category, lean towards strength work,
 * which is what "exercises for X" usually asks for, rather than stretches of X.
 */
const DEFAULT_CATEGORY_WEIGHT = 0.25;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

type Features = { concepts: Map<string, number>; words: Map<string, number> };

const addMax = (m: Map<string, number>, key: string, w: number) => m.set(key, Math.max(m.get(key) ?? 0, w));
const addSum = (m: Map<string, number>, key: string, w: number) => m.set(key, (m.get(key) ?? 0) + w);

function addWords(f: Features, s: readonly string[], weight: number): void {
  s.forEach((w, i) => {
    const boiler = INSTRUCTION_BOILERPLATE.has(w) ? 0.2 : 1;
    addSum(f.words, w, weight * boiler);
    const next = s[i + 1];
    if (next) addSum(f.words, `${w} ${next}`, weight * BIGRAM_FACTOR * boiler);
  });
}

function addTaxonomy(f: Features, kind: ConceptKind, values: string[], weight: number): void {
  for (const v of values) {
    const id = conceptForValue(kind, v);
    if (id) addMax(f.concepts, id, weight);
  }
}

const LABELS: Record<string, keyof typeof CHUNK_LABELS> = Object.fromEntries(
  Object.entries(CHUNK_LABELS).map(([key, label]) => [label.toLowerCase(), key as keyof typeof CHUNK_LABELS]),
);

function splitList(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A chunk's labelled lines by field, and the lines that carry no label (all of a query). */
function parseChunk(text: string): { fields: Map<keyof typeof CHUNK_LABELS, string>; free: string[] } {
  const fields = new Map<keyof typeof CHUNK_LABELS, string>();
  const free: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z ]+):\s*(.*)$/.exec(line);
    const field = m ? LABELS[m[1]!.trim().toLowerCase()] : undefined;
    if (m && field) fields.set(field, m[2]!);
    else free.push(line);
  }
  return { fields, free };
}

const scaleValue = (value: string) => Number(/\((\d+)\/10\)/.exec(value)?.[1] ?? NaN);

/** Concept kinds a row's own tags state; words in its name do not override them. */
function taggedKinds(fields: Map<keyof typeof CHUNK_LABELS, string>): Set<ConceptKind> {
  const kinds = new Set<ConceptKind>();
  const category = fields.get('category');
  if (category && conceptForValue('category', category)) kinds.add('category');
  const equipment = fields.get('equipment');
  if (equipment !== undefined && conceptForValue('equipment', equipment === 'none' ? null : equipment)) kinds.add('equipment');
  if (fields.has('level')) kinds.add('level');
  if (fields.has('intensity')) kinds.add('intensity');
  return kinds;
}

function documentFeatures(f: Features, fields: Map<keyof typeof CHUNK_LABELS, string>, textConcepts: Map<string, number>): void {
  const W = FIELD_WEIGHTS;
  const tagged = taggedKinds(fields);
  for (const [field, value] of fields) {
    switch (field) {
      case 'name':
        // "Clean Deadlift" tagged powerlifting is not Olympic weightlifting because of a word.
        for (const [id, w] of phraseWeights(value)) if (!tagged.has(KIND_OF.get(id)!)) addMax(f.concepts, id, w * W.name);
        addWords(f, contentStems(value), NAME_WORD_WEIGHT);
        break;
      case 'category':
        addTaxonomy(f, 'category', [value], W.category);
        break;
      case 'level': {
        const n = scaleValue(value);
        const id = Number.isFinite(n) ? levelConcept(n) : conceptForValue('level', value.split(' ')[0]);
        if (id) addMax(f.concepts, id, W.level);
        break;
      }
      case 'intensity': {
        const id = intensityConcept(scaleValue(value));
        if (id) addMax(f.concepts, id, W.intensity);
        break;
      }
      case 'primary':
        addTaxonomy(f, 'muscle', splitList(value), W.primary);
        break;
      case 'secondary':
        addTaxonomy(f, 'muscle', splitList(value), W.secondary);
        break;
      case 'equipment':
        addTaxonomy(f, 'equipment', [value], W.equipment);
        break;
      case 'force':
        addTaxonomy(f, 'force', [value], W.force);
        break;
      case 'mechanic':
        addTaxonomy(f, 'mechanic', [value], W.mechanic);
        break;
      default:
        for (const [id, w] of phraseWeights(value)) addSum(textConcepts, id, w);
        addWords(f, contentStems(value), TEXT_WORD_WEIGHT);
    }
  }
}

/** Features of a chunk (labelled lines) or of free text such as a query. */
export function extractFeatures(text: string, kind: EmbedKind = 'document'): Features {
  const f: Features = { concepts: new Map(), words: new Map() };
  const textConcepts = new Map<string, number>();
  const { fields, free } = parseChunk(text);
  documentFeatures(f, fields, textConcepts);
  const freeText = free.join('\n').trim();
  if (freeText && fields.size === 0) {
    // plain text (a query, or a document without labels): concepts after the query rules, signed
    const analysis = analyzeQuery(freeText);
    for (const [id, w] of analysis.weights) f.concepts.set(id, w);
    addWords(f, queryStems(freeText, analysis.setAsideTokens), TEXT_WORD_WEIGHT);
  } else if (freeText) {
    for (const [id, w] of phraseWeights(freeText)) addSum(textConcepts, id, w);
    addWords(f, contentStems(freeText), TEXT_WORD_WEIGHT);
  }
  // Concepts met only in running text count a little, saturating with repetition.
  for (const [id, n] of textConcepts) addMax(f.concepts, id, FIELD_WEIGHTS.text * Math.min(3, n));
  if (kind === 'query' && f.concepts.size > 0 && !hasPositiveKind(f.concepts, 'category')) {
    addMax(f.concepts, 'strength', DEFAULT_CATEGORY_WEIGHT);
  }
  return f;
}

/** A query's content stems without the words it sets aside (negated, or stating a feature: see QueryAnalysis). */
function queryStems(text: string, negated: ReadonlySet<number>): string[] {
  return tokenize(text)
    .filter((t, i) => !negated.has(i) && !STOP_WORDS.has(t) && !FRAME_WORDS.has(t))
    .map(stem);
}

const KIND_OF = new Map(CONCEPTS.map((c) => [c.id, c.kind]));
function hasPositiveKind(concepts: Map<string, number>, kind: ConceptKind): boolean {
  for (const [id, w] of concepts) if (w > 0 && KIND_OF.get(id) === kind) return true;
  return false;
}

function normalizeInPlace(v: Float64Array, from: number, to: number, scale: number): void {
  let sum = 0;
  for (let i = from; i < to; i++) sum += v[i]! * v[i]!;
  if (sum === 0) return;
  const k = scale / Math.sqrt(sum);
  for (let i = from; i < to; i++) v[i]! *= k;
}

export function vectorize(f: Features): number[] {
  const v = new Float64Array(OFFLINE_DIMENSIONS);
  for (const [id, w] of f.concepts) v[CONCEPT_INDEX.get(id)!] = w;
  for (const [word, tf] of f.words) {
    const h = fnv1a(word);
    // A sign bit keeps collisions from adding up to a bias.
    v[CONCEPT_DIMS + (h % HASH_DIMS)]! += (h & 0x80000000 ? -1 : 1) * (tf > 1 ? 1 + Math.log(tf) : tf);
  }
  // An empty text still needs a valid direction: a zero vector has no cosine.
  if (f.concepts.size === 0 && f.words.size === 0) v[OFFLINE_DIMENSIONS - 1] = 1;
  const hasConcepts = f.concepts.size > 0;
  const hasWords = f.words.size > 0;
  normalizeInPlace(v, 0, CONCEPT_DIMS, hasWords ? CONCEPT_SHARE : 1);
  normalizeInPlace(v, CONCEPT_DIMS, OFFLINE_DIMENSIONS, hasConcepts ? WORD_SHARE : 1);
  normalizeInPlace(v, 0, OFFLINE_DIMENSIONS, 1);
  return Array.from(v);
}

export function createOfflineEmbedder(): Embedder {
  return {
    model: OFFLINE_MODEL,
    dimensions: OFFLINE_DIMENSIONS,
    init: async () => {},
    embed: async (texts, kind = 'document') => texts.map((t) => vectorize(extractFeatures(t, kind))),
  };
}
