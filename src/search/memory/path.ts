import type { Queryable } from '../../database/db.js';
import type { LibrarySnapshot } from '../../database/snapshot.js';
import type { ExerciseFilters } from '../../database/types.js';
import { buildTsQuery, type FulltextHit } from '../fulltext.js';
import { probeSumOrder, type SumOrder } from './cosine.js';
import { buildMemoryLibrary, type MemoryLibrary, type RowCache } from './library.js';
import { compileTsquery, createLexemeCache, tsqueryWords } from './tsquery.js';

/**
 * Library size up to which searches run in memory rather than in the database, from
 * `npx tsx bench/run.ts search-paths` (BENCHMARKS.md, PGlite). Every measured search is faster in
 * memory up to 20,000 rows (p50 0.02-0.36 of the database path's), so what bounds this is the
 * rebuild the first search after a write pays on the main thread: 25 ms at 873 rows, 121 ms at
 * 5,000, 493 ms at 20,000.
 */
export const MEMORY_SEARCH_MAX_ROWS = 5_000;

export interface MemorySearchPath {
  /** The derived library for the current snapshot, or null when the database path must answer. */
  library(): Promise<MemoryLibrary | null>;
  /** rankFulltext's answer from memory; null when this query or filter needs the database. */
  fulltext(lib: MemoryLibrary, query: string, opts: { limit: number; filters?: ExerciseFilters; within?: readonly string[] }): Promise<FulltextHit[] | null>;
}

export function createMemorySearchPath(db: Queryable, snapshot: () => LibrarySnapshot | null | Promise<LibrarySnapshot | null>, maxRows = MEMORY_SEARCH_MAX_ROWS): MemorySearchPath {
  const lexemes = createLexemeCache(db);
  // One snapshot's structures at a time: a new version replaces them, readers of the old one keep theirs.
  let built: MemoryLibrary | null = null;
  // The database's float summation order, asked once per vector dimension.
  const orders = new Map<number, Promise<SumOrder>>();
  const rowCache = new Map<SumOrder, RowCache>();
  return {
    async library() {
      const current = await snapshot();
      if (!current || current.rows.length > maxRows) return null;
      if (built?.version === current.version) return built;
      const dims = current.rows.find((r) => r.vector)?.vector?.length ?? 0;
      if (!orders.has(dims)) orders.set(dims, probeSumOrder(db, dims));
      const order = await orders.get(dims)!;
      // Another search may have built this version meanwhile.
      if (!rowCache.has(order)) rowCache.set(order, new WeakMap());
      if (built?.version !== current.version) built = buildMemoryLibrary(current, order, rowCache.get(order));
      return built;
    },
    async fulltext(lib, query, opts) {
      const text = buildTsQuery(query);
      if (!text) return [];
      if (opts.within && opts.within.length === 0) return [];
      await lexemes.learn(tsqueryWords(text));
      const compiled = compileTsquery(text, lexemes.lookup);
      return compiled ? lib.fulltext(compiled, opts) : null;
    },
  };
}
