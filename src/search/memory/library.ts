import type { LibrarySnapshot, SnapshotRow } from '../../database/snapshot.js';
import type { ExerciseFilters } from '../../database/types.js';
import type { VectorHit } from '../../vectors/types.js';
import type { FulltextHit } from '../fulltext.js';
import { factsOf, type CandidateFacts } from '../hybrid.js';
import { cosineDistance, dotFloat4, dotFloat4Columns, SEQUENTIAL, type SumOrder } from './cosine.js';
import { compileRowTest } from './filters.js';
import { compareBytes, orTermContribution, parseTsvector, phraseOccurs, ranksByProximity, tsRank, uniqueOperands, type CompiledTsquery, type ParsedTsvector } from './tsvector.js';

/**
 * What the in-memory search path derives from one library snapshot: the vectors as one float4
 * matrix with each row's squared norm, the parsed full-text documents as an inverted index, and
 * the rows' order by (name in C collation, id) for tie-breaks. Built once per snapshot version.
 */
export interface MemoryLibrary {
  readonly version: number;
  readonly size: number;
  /** Dimension of the stored vectors (0 when none is stored yet). */
  readonly dimensions: number;
  /**
   * Nearest rows by cosine similarity as pgvector's `<=>` computes it. Null when a filter cannot be
   * answered exactly in memory (the caller then asks the database).
   */
  vectorSearch(vector: readonly number[], opts: { limit: number; filters?: ExerciseFilters; scoreThreshold?: number }): VectorHit[] | null;
  /** rankFulltext's answer for an already compiled query; null when a filter needs the database. */
  fulltext(query: CompiledTsquery, opts: { limit: number; filters?: ExerciseFilters; within?: readonly string[] }): FulltextHit[] | null;
  row(id: string): SnapshotRow | undefined;
  facts(ids: readonly string[]): Map<string, CandidateFacts>;
  /** Stored vectors as pgvector's text output reads back (see float4Value). */
  vectors(ids: readonly string[]): Map<string, number[]>;
}

const f = Math.fround;

/**
 * A float4 as the database path sees it: PostgreSQL prints the shortest decimal that reads back
 * as the same float4, and the client parses that decimal as a double.
 */
export function float4Value(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  // Most float4 values need 7 to 9 digits: find the shortest from the middle outwards.
  const fits = (p: number) => f(Number(x.toPrecision(p))) === x;
  let p = 6;
  if (fits(p)) while (p > 1 && fits(p - 1)) p--;
  else while (p < 9 && !fits(p)) p++;
  return Number(x.toPrecision(p));
}

/** ts_rank's weights {D, C, B, A}, as float4 (RANK_WEIGHTS in fulltext.ts). */
const RANK_WEIGHTS = Float32Array.of(0.05, 0.2, 0.5, 1.0);

/** What one row contributes, kept across versions: a new snapshot reuses the row objects it did not change. */
interface RowDerived {
  doc: ParsedTsvector;
  norm: number;
}
export type RowCache = WeakMap<SnapshotRow, RowDerived>;

/**
 * `sumOrder`: how the database sums float4 products (probeSumOrder), so scores match it bit for
 * bit. `reuse`: per-row work from earlier versions, so a rebuild after a small write parses only
 * the rows that changed.
 */
export function buildMemoryLibrary(snapshot: LibrarySnapshot, sumOrder: SumOrder = SEQUENTIAL, reuse: RowCache = new WeakMap()): MemoryLibrary {
  const rows = snapshot.rows;
  const n = rows.length;
  const dimensions = rows.find((r) => r.vector)?.vector?.length ?? 0;
  const derived = rows.map((r) => {
    let d = reuse.get(r);
    if (!d) reuse.set(r, (d = { doc: parseTsvector(r.document), norm: r.vector ? dotFloat4(r.vector, 0, r.vector, r.vector.length, sumOrder) : 0 }));
    return d;
  });
  const withVector = rows.flatMap((r, i) => (r.vector && r.vector.length === dimensions ? [i] : []));
  const count = withVector.length;
  // Column-major: a query's non-zero entries each scan one contiguous column (dotFloat4Columns).
  const columns = new Float32Array(count * dimensions);
  const norms = new Float32Array(count);
  withVector.forEach((rowIndex, k) => {
    const v = rows[rowIndex]!.vector!;
    for (let j = 0; j < dimensions; j++) columns[j * count + k] = v[j]!;
    norms[k] = derived[rowIndex]!.norm;
  });

  // Lexeme -> the rows holding it, ascending; a row's positions are read from its own document.
  // Plain arrays: a map per lexeme made this the largest part of a rebuild after each write.
  const docs = derived.map((d) => d.doc);
  const postings = new Map<string, number[]>();
  const docSize = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const doc = docs[i]!;
    docSize[i] = doc.size;
    for (const lexeme of doc.keys()) {
      const list = postings.get(lexeme);
      if (list) list.push(i);
      else postings.set(lexeme, [i]);
    }
  }

  // rankFulltext's ORDER BY: rank, then exercise_name COLLATE "C", then id.
  const order = new Uint32Array(n);
  const byName = rows.map((_, i) => i).sort((a, b) => compareBytes(rows[a]!.exercise.exercise_name, rows[b]!.exercise.exercise_name) || compareBytes(rows[a]!.exercise.id, rows[b]!.exercise.id));
  byName.forEach((rowIndex, rank) => (order[rowIndex] = rank));

  const vectorOrder = Uint32Array.from(withVector, (rowIndex) => order[rowIndex]!);
  const indexOf = new Map(rows.map((r, i) => [r.exercise.id, i]));
  // Vectors as the database path reads them back, converted on first use (diverse search only).
  const readBack = new Map<string, number[]>();

  function mask(filters: ExerciseFilters | undefined): Uint8Array | null | undefined {
    if (!filters) return undefined;
    const test = compileRowTest(filters);
    if (!test) return null;
    const bits = new Uint8Array(n);
    for (let i = 0; i < n; i++) bits[i] = test(rows[i]!.exercise) ? 1 : 0;
    return bits;
  }

  // Per-search work arrays, reused: searches run one at a time on this thread, and none awaits inside.
  const scratch = { sums: new Float32Array(count * Math.max(1, sumOrder.lanes)), distance: new Float64Array(count), open: new Uint8Array(n), rank: new Float64Array(n), rankSums: new Float32Array(n) };

  function vectorSearch(vector: readonly number[], opts: { limit: number; filters?: ExerciseFilters; scoreThreshold?: number }): VectorHit[] | null {
    const bits = mask(opts.filters);
    if (bits === null || vector.length !== dimensions) return null;
    const q = Float32Array.from(vector);
    const qNorm = dotFloat4(q, 0, q, dimensions, sumOrder);
    const dots = dotFloat4Columns(columns, count, q, sumOrder, scratch.sums);
    // NaN (a zero vector) sorts after every number, as in PostgreSQL's ORDER BY.
    const distance = scratch.distance;
    const found: number[] = [];
    for (let k = 0; k < count; k++) {
      if (bits && !bits[withVector[k]!]) continue;
      const d = cosineDistance(dots[k]!, norms[k]!, qNorm);
      distance[k] = Number.isNaN(d) ? Infinity : d;
      found.push(k);
    }
    const best = smallest(found, opts.limit, distance, vectorOrder);
    const hits = best.map((k) => ({ id: rows[withVector[k]!]!.exercise.id, score: 1 - cosineDistance(dots[k]!, norms[k]!, qNorm) }));
    return opts.scoreThreshold === undefined ? hits : hits.filter((h) => h.score >= opts.scoreThreshold!);
  }

  // Per lexeme, what it adds to calc_rank_or in each document holding it: the same for every query.
  const contributions = new Map<string, { rows: Uint32Array; values: Float64Array }>();
  function orContributions(lexeme: string) {
    let c = contributions.get(lexeme);
    if (!c) {
      const holding = Uint32Array.from(postings.get(lexeme) ?? []);
      c = { rows: holding, values: Float64Array.from(holding, (row) => orTermContribution(RANK_WEIGHTS, docs[row]!.get(lexeme)!)) };
      contributions.set(lexeme, c);
    }
    return c;
  }

  function fulltext(query: CompiledTsquery, opts: { limit: number; filters?: ExerciseFilters; within?: readonly string[] }): FulltextHit[] | null {
    const bits = mask(opts.filters);
    if (bits === null) return null;
    const within = opts.within ? new Set(opts.within.flatMap((id) => (indexOf.has(id) ? [indexOf.get(id)!] : []))) : undefined;
    // `document @@ query`: a single lexeme matches every row holding it; a phrase is checked on the rows holding its first lexeme.
    const found: number[] = [];
    // A row is kept once, when it matches the filters and the `within` list.
    const open = scratch.open;
    if (bits) open.set(bits);
    else open.fill(1);
    if (within) for (let row = 0; row < n; row++) if (!within.has(row)) open[row] = 0;
    for (const term of query.terms) {
      const lists = term.lexemes.map((lexeme) => postings.get(lexeme));
      if (lists.some((l) => l === undefined)) continue;
      if (lists.length === 1) {
        for (const row of orContributions(term.lexemes[0]!).rows) {
          if (!open[row]) continue;
          open[row] = 0;
          found.push(row);
        }
        continue;
      }
      const positions: Uint16Array[] = new Array(lists.length);
      // Only rows holding every lexeme of the phrase: a merge of the ascending row lists.
      const cursor = new Array<number>(lists.length).fill(0);
      rows: for (const row of lists[0]!) {
        if (!open[row]) continue;
        for (let i = 1; i < lists.length; i++) {
          const list = lists[i]!;
          let c = cursor[i]!;
          while (c < list.length && list[c]! < row) c++;
          cursor[i] = c;
          if (list[c] !== row) continue rows;
        }
        const doc = docs[row]!;
        for (let i = 0; i < lists.length; i++) positions[i] = doc.get(term.lexemes[i]!)!;
        if (!phraseOccurs(positions, term.offsets)) continue;
        open[row] = 0;
        found.push(row);
      }
    }
    const items = uniqueOperands(query);
    const rank = scratch.rank;
    if (ranksByProximity(query)) {
      for (const row of found) rank[row] = tsRank(RANK_WEIGHTS, (lexeme) => docs[row]!.get(lexeme), query, docSize[row]!, items);
    } else {
      // calc_rank_or term by term over all rows: each row still adds its operands in operand order.
      const sums = scratch.rankSums.fill(0);
      for (const item of items) {
        const { rows: holding, values } = orContributions(item);
        for (let k = 0; k < holding.length; k++) sums[holding[k]!] = sums[holding[k]!]! + values[k]!;
      }
      for (const row of found) rank[row] = docSize[row] === 0 ? 0 : f(sums[row]! / items.length);
    }
    // Best rank first: the key is the negated rank.
    for (const row of found) rank[row] = -rank[row]!;
    const best = smallest(found, opts.limit, rank, order);
    return best.map((row) => {
      const e = rows[row]!.exercise;
      return { id: e.id, rank: readBackRank(-rank[row]!), name: e.exercise_name };
    });
  }

  // Rows are immutable, so their facts are read once per row object.
  const factsOf = new WeakMap<SnapshotRow, CandidateFacts>();

  const printed = new Map<number, number>();
  function readBackRank(rank: number): number {
    let v = printed.get(rank);
    if (v === undefined) printed.set(rank, (v = float4Value(rank)));
    return v;
  }

  return {
    version: snapshot.version,
    size: n,
    dimensions,
    vectorSearch,
    fulltext,
    row: (id) => snapshot.get(id),
    facts(ids) {
      const out = new Map<string, CandidateFacts>();
      for (const id of ids) {
        const row = snapshot.get(id);
        if (!row) continue;
        let facts = factsOf.get(row);
        if (!facts) factsOf.set(row, (facts = candidateFactsOf(row)));
        out.set(id, facts);
      }
      return out;
    },
    vectors(ids) {
      const out = new Map<string, number[]>();
      for (const id of ids) {
        let v = readBack.get(id);
        const stored = snapshot.get(id)?.vector;
        if (!v && stored) readBack.set(id, (v = Array.from(stored, float4Value)));
        if (v) out.set(id, v);
      }
      return out;
    },
  };
}

function candidateFactsOf({ exercise: e }: SnapshotRow): CandidateFacts {
  return factsOf(e);
}

/**
 * The first `limit` of `items` by ascending `key`, then ascending `tie` (distinct per item), sorted.
 * Cut-offs are selected in linear time and only what makes the cut is sorted: a sort of 873 keys
 * cost more than the rest of a vector search, and full-text ranks tie by the hundred. Keys must
 * not be NaN.
 */
export function smallest(items: readonly number[], limit: number, key: ArrayLike<number>, tie: ArrayLike<number>): number[] {
  if (items.length === 0 || limit < 1) return [];
  const keys = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) keys[i] = key[items[i]!]!;
  const cutoff = nthSmallest(keys, Math.min(limit, keys.length) - 1);
  const chosen: number[] = [];
  const atCutoff: number[] = [];
  for (const i of items) {
    if (key[i]! < cutoff) chosen.push(i);
    else if (key[i]! === cutoff) atCutoff.push(i);
  }
  const room = limit - chosen.length;
  if (atCutoff.length <= room) chosen.push(...atCutoff);
  else {
    const ties = new Float64Array(atCutoff.length);
    for (let i = 0; i < atCutoff.length; i++) ties[i] = tie[atCutoff[i]!]!;
    const last = nthSmallest(ties, room - 1);
    for (const i of atCutoff) if (tie[i]! <= last) chosen.push(i);
  }
  return chosen.sort((a, b) => (key[a]! < key[b]! ? -1 : key[a]! > key[b]! ? 1 : tie[a]! - tie[b]!));
}

/** The value that would sit at index `k` if `values` were sorted ascending (reorders `values`). */
export function nthSmallest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    // Median of three as the pivot keeps sorted and reversed inputs linear.
    const mid = (lo + hi) >>> 1;
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}
