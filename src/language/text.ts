/**
 * Word handling shared by the offline embedder, the vocabulary matcher and the full-text query
 * builder: lower-casing, splitting and a light English stemmer. Pure.
 *
 * The stemmer is deliberately small (plurals, -ing, -ed, -ly, a final -e and a few more) so that query
 * words and document words meet ("curls"/"curling" -> "curl"); it is not Porter and does not
 * need to agree with PostgreSQL's stemmer, which the full-text side uses on its own.
 */

/** Words that carry no meaning for search. Kept short: "back", "up", "front" matter here. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a an and are as at be been being but by can could do does did for from had has have he her
  him his how i if in into is it its itself just me my myself of on or our ours out over own she
  so some than that the their them then there these they this those through to too very was we
  were what when where which while who whom why will with would you your yours yourself also any
  all am get got want need like make some something someone thing things really way ways`
    .split(/\s+/)
    .filter(Boolean),
);

/** Words that only frame a search ("exercises for...") and say nothing about which exercise. */
export const FRAME_WORDS: ReadonlySet<string> = new Set(
  `exercise exercises workout workouts move moves movement movements routine routines training train
  drill drills thing variation variations best good great some other help helps improve`
    .split(/\s+/)
    .filter(Boolean),
);

/** Lower-cases and splits on anything that is not a letter or digit ("push-up" -> push, up). */
export function tokenize(text: string): string[] {
  const lower = text.toLowerCase();
  // Accents are rare: skip the costly normalization for plain ASCII.
  const plain = /^[\x00-\x7f]*$/.test(lower) ? lower : lower.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return plain
    .replace(/['\u2019]s\b/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const VOWEL = /[aeiouy]/;

const IRREGULAR: Record<string, string> = {
  feet: 'foot',
  teeth: 'tooth',
  calves: 'calf',
  calve: 'calf',
  knees: 'knee',
  thighs: 'thigh',
  hips: 'hip',
  lying: 'lie',
  dying: 'die',
  men: 'man',
  women: 'woman',
  abs: 'ab',
  lats: 'lat',
  traps: 'trap',
  pecs: 'pec',
  quads: 'quad',
  delts: 'delt',
  glutes: 'glute',
  biceps: 'bicep',
  triceps: 'tricep',
  press: 'press',
  chess: 'chess',
  cross: 'cross',
  across: 'across',
  plus: 'plus',
  bus: 'bus',
  this: 'this',
  is: 'is',
  was: 'was',
  has: 'has',
  yes: 'yes',
  less: 'less',
  series: 'series',
  stairs: 'stair',
  lifter: 'lift',
  lifters: 'lift',
  runner: 'run',
  runners: 'run',
  beginners: 'beginner',
  powerlifter: 'powerlift',
  powerlifters: 'powerlift',
  powerlifting: 'powerlift',
};

function dropDoubleConsonant(word: string): string {
  const m = /([bdfgmnprt])\1$/.exec(word);
  return m ? word.slice(0, -1) : word;
}

// Texts repeat the same few thousand words; remembering stems makes embedding several times faster.
const STEM_CACHE = new Map<string, string>();
const STEM_CACHE_MAX = 50_000;

/** A light stemmer: returns the same stem for the common inflections of a word. */
export function stem(word: string): string {
  let cached = STEM_CACHE.get(word);
  if (cached === undefined) {
    cached = stemUncached(word);
    if (STEM_CACHE.size >= STEM_CACHE_MAX) STEM_CACHE.clear();
    STEM_CACHE.set(word, cached);
  }
  return cached;
}

function stemUncached(word: string): string {
  const w = word.toLowerCase();
  if (IRREGULAR[w]) return IRREGULAR[w];
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (/(ches|shes|xes|zes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('ss') || w.endsWith('us') || w.endsWith('is')) return w;
  if (w.endsWith('s')) return stemUncached(w.slice(0, -1));
  if (w.endsWith('ing') && w.length > 5 && VOWEL.test(w.slice(0, -3))) {
    return dropDoubleConsonant(w.slice(0, -3));
  }
  if (w.endsWith('ed') && w.length > 4 && VOWEL.test(w.slice(0, -2))) {
    if (w.endsWith('ied')) return `${w.slice(0, -3)}y`;
    return dropDoubleConsonant(w.slice(0, -2));
  }
  if (w.endsWith('ly') && w.length > 5) return w.slice(0, -2);
  if (w.endsWith('e') && w.length > 4) return w.slice(0, -1);
  return w;
}

/** Stems of the words of a text, stop words kept (phrase matching needs their positions). */
export function stems(text: string): string[] {
  return tokenize(text).map(stem);
}

/** Content stems: no stop words and no search-framing words. */
export function contentStems(text: string): string[] {
  return tokenize(text)
    .filter((t) => !STOP_WORDS.has(t) && !FRAME_WORDS.has(t))
    .map(stem);
}
