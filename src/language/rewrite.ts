import { PHRASES } from './phrases.js';
import { FRAME_WORDS, STOP_WORDS, tokenize } from './text.js';
import { CONCEPTS, FILLERS } from './vocabulary.js';

/**
 * The query as the rankers read it: gym abbreviations and nicknames written out ("ohp" -> overhead
 * press), and a misspelt word put right when exactly one word the search knows is one keystroke
 * away by a typing slip ("thursts" -> thrusts, "dumbell" -> dumbbell). Pure and applied before everything else, so full text, the embedder
 * and the query rules all read the same words on every path.
 *
 * The table is common gym shorthand, true of training language in general; a word is only
 * corrected when it is unknown, long enough to be a word (short ones are too often abbreviations
 * or other words), and the correction is unambiguous.
 */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  ohp: 'overhead press',
  bp: 'bench press',
  cgbp: 'close grip bench press',
  dl: 'deadlift',
  dls: 'deadlifts',
  rdl: 'romanian deadlift',
  rdls: 'romanian deadlifts',
  sldl: 'stiff legged deadlift',
  sldls: 'stiff legged deadlifts',
  ghr: 'glute ham raise',
  ghrs: 'glute ham raises',
  ghd: 'glute ham raise',
  nordics: 'glute ham raise',
  bss: 'bulgarian split squat',
  hspu: 'handstand push up',
  hspus: 'handstand push ups',
  ttb: 'toes to bar',
  t2b: 'toes to bar',
  tgu: 'turkish get up',
  tgus: 'turkish get ups',
  kb: 'kettlebell',
  kbs: 'kettlebells',
  db: 'dumbbell',
  dbs: 'dumbbells',
  bb: 'barbell',
  bw: 'bodyweight',
  mb: 'medicine ball',
  ssb: 'safety squat bar',
  pecdeck: 'butterfly machine fly',
  skullcrushers: 'skull crushers',
  skullcrusher: 'skull crusher',
};

/** Two-word nicknames. */
const NICKNAMES: readonly [RegExp, string][] = [
  [/\bpec decks?\b/g, 'butterfly machine fly'],
  [/\bnordic (?:hamstring )?curls?\b/g, 'glute ham raise'],
  [/\bfrench press(?:es)?\b/g, 'overhead triceps extension'],
  [/\bstar jumps?\b/g, 'jumping jacks'],
  [/\bfarmers? carr(?:y|ies)\b/g, 'farmer walk'],
];

const MIN_CORRECTED_LENGTH = 5;

let lexicon: ReadonlySet<string> | null = null;
/** Every word the search knows: the vocabulary's phrases and concept words, and its own glue words. */
function knownWords(): ReadonlySet<string> {
  if (lexicon) return lexicon;
  const words = new Set<string>([...STOP_WORDS, ...FRAME_WORDS, ...FILLERS]);
  for (const [terms] of PHRASES) for (const t of terms) for (const w of tokenize(t)) words.add(w);
  for (const c of CONCEPTS) for (const t of [...c.words, ...c.values, c.id]) for (const w of tokenize(t)) words.add(w);
  for (const t of Object.values(ABBREVIATIONS)) for (const w of tokenize(t)) words.add(w);
  lexicon = words;
  return words;
}

/** Letters that inflect a word at its end (plural, past, comparative): an edit there makes another word. */
const INFLECTION = new Set(['s', 'd', 'e', 'r', 'y']);
const MIN_END_EDIT_LENGTH = 7;

/**
 * Whether `typo` is `word` with one of the slips typing makes without making another word: two
 * neighbouring letters swapped, or a letter doubled or dropped inside the word (or at its end, for
 * a long word and a letter that does not inflect). A changed letter, or an edit at the start, is
 * too often a different real word ("stuff", "stiff"; "every", "very").
 */
export function isTypoOf(typo: string, word: string): boolean {
  if (typo === word || Math.abs(typo.length - word.length) > 1) return false;
  let i = 0;
  while (i < typo.length && i < word.length && typo[i] === word[i]) i++;
  if (i === 0) return false;
  if (typo.length === word.length) return i + 1 < typo.length && typo[i] === word[i + 1] && typo[i + 1] === word[i] && typo.slice(i + 2) === word.slice(i + 2);
  const [long, short] = typo.length > word.length ? [typo, word] : [word, typo];
  if (long.slice(i + 1) !== short.slice(i)) return false;
  const atEnd = i === long.length - 1;
  return !atEnd || (short.length >= MIN_END_EDIT_LENGTH && !INFLECTION.has(long[i]!));
}

/** The one known word a misspelt word stands for, or undefined. */
export function correctWord(word: string): string | undefined {
  const known = knownWords();
  if (word.length < MIN_CORRECTED_LENGTH || known.has(word) || /\d/.test(word)) return undefined;
  let found: string | undefined;
  for (const k of known) {
    if (k.length < MIN_CORRECTED_LENGTH - 1 || !isTypoOf(word, k)) continue;
    if (found !== undefined) return undefined;
    found = k;
  }
  return found;
}

const REWRITES_KEPT = 64;
const rewrites = new Map<string, string>();

export function rewriteQuery(text: string): string {
  let out = rewrites.get(text);
  if (out === undefined) {
    out = rewrite(text);
    if (rewrites.size >= REWRITES_KEPT) rewrites.delete(rewrites.keys().next().value!);
    rewrites.set(text, out);
  }
  return out;
}

function rewrite(text: string): string {
  let lower = text.toLowerCase();
  for (const [re, to] of NICKNAMES) lower = lower.replace(re, to);
  // Word by word, keeping the separators (clause breaks matter to negation).
  return lower.replace(/[a-z0-9]+/g, (w) => ABBREVIATIONS[w] ?? correctWord(w) ?? w);
}
