import type { LibrarySnapshot, SnapshotRow } from '../../database/snapshot.js';
import type { ExerciseFilters } from '../../database/types.js';
import type { VectorHit } from '../../vectors/types.js';
import type { FulltextHit } from '../fulltext.js';
import type { CandidateFacts } from '../hybrid.js';
import { cosineDistance, dotFloat4, SEQUENTIAL, type SumOrder } from './cosine.js';
import { compileRowTest } from './filters.js';
import { compareBytes, parseTsvector, type ParsedTsvector, tsqueryMatches, tsRank, uniqueOperands, type CompiledTsquery } from './tsvector.js';

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
  const matrix = new Float32Array(withVector.length * dimensions);
  const norms = new Float32Array(withVector.length);
  withVector.forEach((rowIndex, k) => {
    const v = rows[rowIndex]!.vector!;
    matrix.set(v, k * dimensions);
    norms[k] = derived[rowIndex]!.norm;
  });

  const postings = new Map<string, Map<number, Uint16Array>>();
  const docSize = new Uint32Array(n);
  rows.forEach((_, i) => {
    const doc = derived[i]!.doc;
    docSize[i] = doc.size;
    for (const [lexeme, positions] of doc) {
      let list = postings.get(lexeme);
      if (!list) postings.set(lexeme, (list = new Map()));
      list.set(i, positions);
    }
  });

  // rankFulltext's ORDER BY: rank, then exercise_name COLLATE "C", then id.
  const order = new Uint32Array(n);
  const byName = rows.map((_, i) => i).sort((a, b) => compareBytes(rows[a]!.exercise.exercise_name, rows[b]!.exercise.exercise_name) || compareBytes(rows[a]!.exercise.id, rows[b]!.exercise.id));
  byName.forEach((rowIndex, rank) => (order[rowIndex] = rank));

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

  function vectorSearch(vector: readonly number[], opts: { limit: number; filters?: ExerciseFilters; scoreThreshold?: number }): VectorHit[] | null {
    const bits = mask(opts.filters);
    if (bits === null || vector.length !== dimensions) return null;
    const q = Float32Array.from(vector);
    const qNorm = dotFloat4(q, 0, q, dimensions, sumOrder);
    const found: { row: number; distance: number }[] = [];
    for (let k = 0; k < withVector.length; k++) {
      const rowIndex = withVector[k]!;
      if (bits && !bits[rowIndex]) continue;
      const dot = dotFloat4(matrix, k * dimensions, q, dimensions, sumOrder);
      found.push({ row: rowIndex, distance: cosineDistance(dot, norms[k]!, qNorm) });
    }
    // NaN (a zero vector) sorts after every number, as in PostgreSQL's ORDER BY.
    const key = (d: number) => (Number.isNaN(d) ? Infinity : d);
    found.sort((a, b) => key(a.distance) - key(b.distance) || order[a.row]! - order[b.row]!);
    const hits = found.slice(0, opts.limit).map((h) => ({ id: rows[h.row]!.exercise.id, score: 1 - h.distance }));
    return opts.scoreThreshold === undefined ? hits : hits.filter((h) => h.score >= opts.scoreThreshold!);
  }

  function fulltext(query: CompiledTsquery, opts: { limit: number; filters?: ExerciseFilters; within?: readonly string[] }): FulltextHit[] | null {
    const bits = mask(opts.filters);
    if (bits === null) return null;
    const within = opts.within ? new Set(opts.within.flatMap((id) => (indexOf.has(id) ? [indexOf.get(id)!] : []))) : undefined;
    const candidates = new Set<number>();
    for (const term of query.terms) for (const row of postings.get(term.lexemes[0]!)?.keys() ?? []) candidates.add(row);
    const items = uniqueOperands(query);
    const ranked: { row: number; rank: number }[] = [];
    for (const row of candidates) {
      if ((bits && !bits[row]) || (within && !within.has(row))) continue;
      const doc = (lexeme: string) => postings.get(lexeme)?.get(row);
      if (!tsqueryMatches(doc, query)) continue;
      ranked.push({ row, rank: tsRank(RANK_WEIGHTS, doc, query, docSize[row]!, items) });
    }
    ranked.sort((a, b) => b.rank - a.rank || order[a.row]! - order[b.row]!);
    return ranked.slice(0, opts.limit).map((h) => {
      const e = rows[h.row]!.exercise;
      return { id: e.id, rank: float4Value(h.rank), name: e.exercise_name };
    });
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
        const e = snapshot.get(id)?.exercise;
        if (!e) continue;
        out.set(id, {
          name: e.exercise_name,
          category: e.category,
          equipment: e.equipment,
          primary_muscles: e.primary_muscles,
          force: e.force,
          mechanic: e.mechanic,
          fitness_level: e.fitness_level,
        });
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
