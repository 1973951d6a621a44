/**
 * PostgreSQL's tsvector and ts_rank, reproduced in memory so the full-text side can rank a small
 * library without a round trip into the database (issue 11). Pure.
 *
 * Exactness matters more than elegance here: the in-memory path must give the very ranks the
 * database gives, so the arithmetic follows tsrank.c (calc_rank_or, calc_rank_and, word_distance)
 * step by step, rounding to float4 wherever C stores a float.
 */

/** One position as PostgreSQL packs it (WordEntryPos): weight in the top 2 bits, position below. */
export type PackedPos = number;

const POS_MASK = 0x3fff;
/** MAXENTRYPOS: positions are clamped below 2^14. */
export const MAX_ENTRY_POS = 1 << 14;

export const posOf = (p: PackedPos): number => p & POS_MASK;
/** 3 = A, 2 = B, 1 = C, 0 = D (the index into ts_rank's weight array). */
export const weightOf = (p: PackedPos): number => p >> 14;

/** A parsed document: lexeme -> its positions, or an empty array when stored without positions. */
export type ParsedTsvector = Map<string, Uint16Array>;

const WEIGHT_CODES: Record<string, number> = { A: 3, a: 3, B: 2, b: 2, C: 1, c: 1, D: 0, d: 0 };
const ENTRY = /'((?:[^'\\]|''|\\.)*)'(?::([0-9A-Da-d,]+))?/g;
const ESCAPE = /''|\\(.)/g;

/**
 * Parses tsvector output text (`'push':1A,4 'up':2A`). Lexemes are quoted, with `''` and `\x`
 * escapes; a position may carry a weight letter (none means D).
 */
export function parseTsvector(text: string): ParsedTsvector {
  const out: ParsedTsvector = new Map();
  for (const m of text.matchAll(ENTRY)) {
    const raw = m[1]!;
    const lexeme = raw.includes("'") || raw.includes('\\') ? raw.replace(ESCAPE, (all, c?: string) => (all === "''" ? "'" : c!)) : raw;
    const list = m[2] ? m[2].split(',') : [];
    const positions = new Uint16Array(list.length);
    list.forEach((p, i) => {
      const last = p.charCodeAt(p.length - 1);
      const weight = last >= 48 && last <= 57 ? 0 : WEIGHT_CODES[p[p.length - 1]!]!;
      const pos = Math.min(parseInt(p, 10), MAX_ENTRY_POS - 1);
      positions[i] = (weight << 14) | pos;
    });
    out.set(lexeme, positions);
  }
  return out;
}

/**
 * A compiled tsquery in the shape buildTsQuery produces after to_tsquery: an OR of terms, each a
 * single lexeme or a phrase (lexemes at fixed offsets from the first, `<N>` distances summed).
 */
export interface PhraseTerm {
  lexemes: readonly string[];
  /** offsets[i]: distance of lexemes[i] from lexemes[0]; offsets[0] = 0. */
  offsets: readonly number[];
}

export interface CompiledTsquery {
  terms: readonly PhraseTerm[];
}

/** Whether a phrase occurs: some position p of the first lexeme with lexeme i at p + offset i. */
function phraseMatches(doc: (lexeme: string) => Uint16Array | undefined, term: PhraseTerm): boolean {
  const lists = term.lexemes.map(doc);
  return !lists.some((l) => l === undefined) && phraseOccurs(lists as Uint16Array[], term.offsets);
}

/** phraseMatches over the lexemes' position lists, in the term's order; allocates nothing. */
export function phraseOccurs(lists: readonly Uint16Array[], offsets: readonly number[]): boolean {
  // A lexeme stored without positions cannot prove adjacency; PostgreSQL stored documents built by
  // to_tsvector always carry positions, so this only guards hand-made vectors.
  for (const l of lists) if (l.length === 0) return lists.length === 1;
  const first = lists[0]!;
  for (let a = 0; a < first.length; a++) {
    const p = posOf(first[a]!);
    let all = true;
    for (let i = 1; i < lists.length && all; i++) {
      const want = p + offsets[i]!;
      const list = lists[i]!;
      let found = false;
      for (let b = 0; b < list.length && !found; b++) found = posOf(list[b]!) === want;
      all = found;
    }
    if (all) return true;
  }
  return false;
}

/** `doc @@ query`. */
export function tsqueryMatches(doc: (lexeme: string) => Uint16Array | undefined, query: CompiledTsquery): boolean {
  return query.terms.some((t) => (t.lexemes.length === 1 ? doc(t.lexemes[0]!) !== undefined : phraseMatches(doc, t)));
}

/** tsCompareString order (memcmp, then length): UTF-8 byte order. */
export function compareBytes(a: string, b: string): number {
  // UTF-16 order is UTF-8 byte order except where surrogates meet U+E000-U+FFFF.
  if (!BEYOND_SURROGATES.test(a) && !BEYOND_SURROGATES.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
const BEYOND_SURROGATES = /[\uD800-\uFFFF]/;

/** SortAndUniqItems: the query's distinct operands in byte order, whatever the tree shape. */
export function uniqueOperands(query: CompiledTsquery): string[] {
  const all = [...new Set(query.terms.flatMap((t) => t.lexemes))];
  return all.sort(compareBytes);
}

const f = Math.fround;
/** ts_rank's weight array as float4, {D, C, B, A}. */
export function rankWeights(weights: readonly [number, number, number, number]): Float32Array {
  return Float32Array.from(weights);
}

/**
 * What one operand present in a document adds to calc_rank_or's sum (a saturating sum of its
 * occurrences' weights), before the sum is rounded: per document and operand, so a library can
 * keep it (see the in-memory full text).
 */
export function orTermContribution(w: Float32Array, entry: Uint16Array): number {
  // A lexeme without positions counts as one occurrence of weight D.
  const post = entry.length ? entry : NO_POSITION;
  let resj = 0;
  let wjm = -1;
  let jm = 0;
  for (let j = 0; j < post.length; j++) {
    const wp = w[weightOf(post[j]!)]!;
    resj = f(resj + f(wp / ((j + 1) * (j + 1))));
    if (wp > wjm) {
      wjm = wp;
      jm = j;
    }
  }
  const inner = f(f(wjm + resj) - f(wjm / ((jm + 1) * (jm + 1))));
  return inner / 1.64493406685;
}
const NO_POSITION = Uint16Array.of(0);

/** calc_rank_or: the operands' contributions summed in float4 in operand order, averaged over operands. */
function rankOr(w: Float32Array, doc: (lexeme: string) => Uint16Array | undefined, items: readonly string[]): number {
  let res = 0;
  for (const item of items) {
    const entry = doc(item);
    if (entry) res = f(res + orTermContribution(w, entry));
  }
  if (items.length > 0) res = f(res / items.length);
  return res;
}

/** Whether ts_rank ranks this query by calc_rank_and (a single phrase) rather than calc_rank_or. */
export function ranksByProximity(query: CompiledTsquery): boolean {
  return query.terms.length === 1 && query.terms[0]!.lexemes.length > 1;
}

/** word_distance: closeness of two positions, as float4. */
function wordDistance(dist: number): number {
  if (dist > 100) return f(1e-30);
  return f(1.0 / (1.005 + 0.05 * Math.exp(f(dist) / 1.5 - 2)));
}

/** calc_rank_and: every pair of occurrences of different operands adds by its closeness. */
function rankAnd(w: Float32Array, doc: (lexeme: string) => Uint16Array | undefined, items: readonly string[]): number {
  if (items.length < 2) return rankOr(w, doc, items);
  const NULL_POS = Uint16Array.of(MAX_ENTRY_POS - 1);
  const pos: (Uint16Array | undefined)[] = new Array(items.length);
  const isNull: boolean[] = new Array(items.length).fill(false);
  let res = -1;
  for (let i = 0; i < items.length; i++) {
    const entry = doc(items[i]!);
    if (!entry) continue;
    pos[i] = entry.length ? entry : NULL_POS;
    isNull[i] = entry.length === 0;
    const post = pos[i]!;
    for (let k = 0; k < i; k++) {
      const ct = pos[k];
      if (!ct) continue;
      for (let l = 0; l < post.length; l++) {
        for (let p = 0; p < ct.length; p++) {
          let dist = Math.abs(posOf(post[l]!) - posOf(ct[p]!));
          if (dist || isNull[i] || isNull[k]) {
            if (!dist) dist = MAX_ENTRY_POS;
            const curw = f(Math.sqrt(f(f(w[weightOf(post[l]!)]! * w[weightOf(ct[p]!)]!) * wordDistance(dist))));
            res = res < 0 ? curw : f(1.0 - (1.0 - res) * (1.0 - curw));
          }
        }
      }
    }
  }
  return res;
}

/**
 * ts_rank(weights, doc, query) with normalization 0. The top operator decides: an OR query ranks
 * by calc_rank_or, a single phrase (top operator `<->`) by calc_rank_and. `items`: the query's
 * uniqueOperands, passed in when one query ranks many documents.
 */
export function tsRank(w: Float32Array, doc: (lexeme: string) => Uint16Array | undefined, query: CompiledTsquery, docSize: number, items = uniqueOperands(query)): number {
  if (docSize === 0 || query.terms.length === 0) return 0;
  let res = ranksByProximity(query) ? rankAnd(w, doc, items) : rankOr(w, doc, items);
  if (res < 0) res = f(1e-20);
  return res;
}
