import type { Queryable } from '../database/db.js';
import { countExercises } from '../database/exercises.js';
import type { LibraryMirror } from '../database/mirror.js';
import { readExercisesByIds } from '../database/mirror-reads.js';
import type { Exercise, ExerciseFilters } from '../database/types.js';
import type { VectorHit, VectorIndex, VectorSearchOptions } from '../vectors/types.js';
import { candidateFacts } from './facts.js';
import { rankFulltext, type FulltextHit } from './fulltext.js';
import type { CandidateFacts } from './hybrid.js';
import type { MemoryLibrary } from './memory/library.js';
import { createMemorySearchPath, type MemorySearchPath } from './memory/path.js';

/**
 * What one search reads from the library, whichever holds it: the database (and the vector
 * store), or the in-memory library built from the mirror's snapshot. A search opens one view and
 * reads everything through it, so every part of the search sees the same library.
 */
export interface LibraryView {
  readonly source: 'memory' | 'database';
  /** Rows in the library (the database's count is at most SIZE_CACHE_MS old). */
  size(): Promise<number>;
  /** Full rows by id; unknown ids are missing from the map. */
  rows(ids: readonly string[]): Promise<Map<string, Exercise>>;
  /** Nearest rows; the database view throws the vector store's UnavailableError. */
  vectorSearch(vector: readonly number[], opts: VectorSearchOptions): Promise<VectorHit[]>;
  /** rankFulltext's answer. */
  fulltext(query: string, opts: FulltextOptions): Promise<FulltextHit[]>;
  facts(ids: readonly string[]): Promise<Map<string, CandidateFacts>>;
  /** Stored vectors by id; the database view throws the vector store's UnavailableError. */
  vectors(ids: readonly string[]): Promise<Map<string, number[]>>;
}

export interface FulltextOptions {
  limit: number;
  filters?: ExerciseFilters;
  within?: readonly string[];
}

export interface LibrarySources {
  db: Queryable;
  index: VectorIndex;
  /** The library in memory, when the process keeps one. */
  mirror: Pick<LibraryMirror, 'read'> | null;
  /** Library size up to which searches read the in-memory library (default MEMORY_SEARCH_MAX_ROWS). */
  memorySearchMaxRows?: number;
}

/** Opens the view one search reads through; keeps what outlives a search (derived structures, counts). */
export interface LibraryReader {
  open(): Promise<LibraryView>;
}

/** A count on every search would cost more than it tells. */
const SIZE_CACHE_MS = 30_000;

function databaseView(sources: LibrarySources, size: () => Promise<number>): LibraryView {
  const { db, index } = sources;
  const mirror = (sources.mirror as LibraryMirror | null) ?? null;
  return {
    source: 'database',
    size,
    async rows(ids) {
      return new Map((await readExercisesByIds(db, mirror, ids)).map((e) => [e.id, e]));
    },
    vectorSearch: (vector, opts) => index.search(vector, opts),
    fulltext: (query, opts) => rankFulltext(db, query, opts),
    facts: (ids) => candidateFacts(db, ids, mirror),
    vectors: (ids) => index.vectors(ids),
  };
}

/** Exact scans over one snapshot; what memory cannot answer exactly (some filters) goes to `fallback`. */
function memoryView(lib: MemoryLibrary, path: MemorySearchPath, fallback: LibraryView): LibraryView {
  return {
    source: 'memory',
    size: () => Promise.resolve(lib.size),
    rows: (ids) => Promise.resolve(new Map(ids.flatMap((id) => {
      const exercise = lib.row(id)?.exercise;
      return exercise ? [[id, exercise] as const] : [];
    }))),
    vectorSearch: async (vector, opts) => lib.vectorSearch(vector, opts) ?? fallback.vectorSearch(vector, opts),
    fulltext: async (query, opts) => (await path.fulltext(lib, query, opts)) ?? fallback.fulltext(query, opts),
    facts: (ids) => Promise.resolve(lib.facts(ids)),
    vectors: (ids) => Promise.resolve(lib.vectors(ids)),
  };
}

/**
 * The in-memory library answers while the process keeps a mirror within `memorySearchMaxRows`
 * and vectors live in pgvector (the scan reproduces pgvector's scores, not another store's).
 */
export function createLibraryReader(sources: LibrarySources): LibraryReader {
  const mirror = sources.mirror;
  const memory = mirror && sources.index.backend === 'pgvector'
    ? createMemorySearchPath(sources.db, () => mirror.read(), sources.memorySearchMaxRows)
    : null;
  let counted: { rows: number; at: number } | null = null;
  const size = async () => {
    if (!counted || Date.now() - counted.at > SIZE_CACHE_MS) counted = { rows: await countExercises(sources.db), at: Date.now() };
    return counted.rows;
  };
  const database = databaseView(sources, size);
  return {
    async open() {
      const lib = (await memory?.library()) ?? null;
      return lib ? memoryView(lib, memory!, database) : database;
    },
  };
}
