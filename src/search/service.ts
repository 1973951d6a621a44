import { z } from 'zod';
import type { Db, Queryable } from '../database/db.js';
import { countExercises, getExercisesByIds } from '../database/exercises.js';
import type { LibraryMirror } from '../database/mirror.js';
import { readExercisesByIds } from '../database/mirror-reads.js';
import type { LibrarySnapshot } from '../database/snapshot.js';
import type { Exercise, ExerciseFilters } from '../database/types.js';
import { filtersSchema, parseInput } from '../database/validate.js';
import type { Embedder } from '../embeddings/types.js';
import { UnavailableError } from '../errors.js';
import { MAX_QUERY_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT as MAX_LIMIT } from '../limits.js';
import type { CollectionInfo, VectorHit, VectorIndex, VectorIndexStatus } from '../vectors/types.js';
import { buildExerciseChunk } from '../language/chunk.js';
import { rankFulltext } from './fulltext.js';
import { candidateFacts } from './facts.js';
import { compareByName, HYBRID_PARAMS, noGoodMatch, queryIntent, rankHybrid, type RankedCandidates } from './hybrid.js';
import { rewriteQuery } from '../language/rewrite.js';
import type { MemoryLibrary } from './memory/library.js';
import { createMemorySearchPath } from './memory/path.js';
import { selectDiverse } from './mmr.js';
import { movementPattern } from '../language/vocabulary.js';

/**
 * Search by meaning over the exercise library: keeping embeddings in step with rows, pure vector
 * search, hybrid (full-text + vector) ranking, and diverse selection for routines.
 */
export interface SearchServiceDeps {
  db: Db;
  embedder: Embedder;
  index: VectorIndex;
  /** Fusion weights; defaults to HYBRID_WEIGHTS. */
  weights?: { fulltext: number; vector: number };
  /** Category prior after fusion; defaults to HYBRID_PARAMS.categoryPrior. */
  categoryPrior?: number;
  /** Library size above which full text only re-ranks vector candidates (default FULLTEXT_SCAN_MAX_ROWS). */
  fulltextScanMaxRows?: number;
  /** The in-memory library, when the process keeps one: rows and facts are read from it. */
  rows?: () => LibraryMirror | null;
  /**
   * The library as held in memory (issue 11), or null when there is none: searches then run as
   * exact scans over it, with results identical to the database path's, while the library has at
   * most `memorySearchMaxRows` rows and vectors live in pgvector.
   */
  snapshot?: () => LibrarySnapshot | null | Promise<LibrarySnapshot | null>;
  /** Default MEMORY_SEARCH_MAX_ROWS (measured, see src/search/memory/path.ts). */
  memorySearchMaxRows?: number;
}

export interface ScoredExercise {
  exercise: Exercise;
  score: number;
}

export interface HybridHit extends ScoredExercise {
  /** 1-based rank of the exercise in each ranker that found it. */
  ranks: { fulltext?: number; vector?: number };
}

export interface HybridResult {
  items: HybridHit[];
  /** Which rankers answered: `fulltext` alone when the vector index is unavailable. */
  ranker: 'hybrid' | 'fulltext';
  /** Why the vector ranker did not take part, when it did not. */
  degraded?: string;
  /** Why there are no results when the query matches nothing meaningful (see noGoodMatch). */
  noMatch?: string;
}

export interface ReindexProgress {
  done: number;
  /** Rows without a vector when the pass started (rows added meanwhile are picked up too). */
  total: number;
}

export interface ReindexResult {
  embedded: number;
  model: string;
  /** True when the index was rebuilt for a new model or dimension first. */
  reset: boolean;
}

export { MAX_QUERY_LENGTH, SEARCH_MAX_LIMIT as MAX_LIMIT } from '../limits.js';

/** Fusion weights (see HYBRID_PARAMS). Depth: how many candidates each ranker contributes to the fusion. */
export const HYBRID_WEIGHTS = { fulltext: HYBRID_PARAMS.fulltext, vector: HYBRID_PARAMS.vector } as const;
const FUSION_DEPTH = 100;
/** Above this many rows full text ranks only the vector side's candidates (see hybridRanking). */
export const FULLTEXT_SCAN_MAX_ROWS = 20_000;
const LARGE_LIBRARY_DEPTH = 300;

const queryText = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_QUERY_LENGTH, `must be at most ${MAX_QUERY_LENGTH} characters`);
const limit = z.number().int('must be an integer').min(1, `must be from 1 to ${MAX_LIMIT}`).max(MAX_LIMIT, `must be from 1 to ${MAX_LIMIT}`);

const similarSchema = z
  .object({
    limit: limit.default(SEARCH_DEFAULT_LIMIT),
    scoreThreshold: z.number().min(-1, 'must be from -1 to 1').max(1, 'must be from -1 to 1').optional(),
    filters: filtersSchema.optional(),
  })
  .strict();

const hybridSchema = z.object({ limit: limit.default(SEARCH_DEFAULT_LIMIT), filters: filtersSchema.optional() }).strict();

const diverseSchema = z
  .object({
    count: limit.default(SEARCH_DEFAULT_LIMIT),
    candidates: z.number().int().min(1).max(500, 'must be at most 500').optional(),
    diversity: z.number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1').default(0.3),
    maxPerSource: z.number().int().min(1).optional(),
    maxPerPattern: z.number().int().min(1).optional(),
    filters: filtersSchema.optional(),
  })
  .strict();

export type SimilarOptions = z.input<typeof similarSchema>;
export type HybridOptions = z.input<typeof hybridSchema>;
export type DiverseOptions = z.input<typeof diverseSchema>;

type ChunkRow = Parameters<typeof buildExerciseChunk>[0] & { id: string };

export interface SearchService {
  initVectorStore(): Promise<VectorIndexStatus>;
  storeEmbedding(exercises: ChunkRow | readonly ChunkRow[], tx?: Queryable): Promise<void>;
  deleteEmbedding(id: string, tx?: Queryable): Promise<void>;
  searchSimilarExercises(query: string, options?: SimilarOptions): Promise<ScoredExercise[]>;
  findExercises(query: string, options?: HybridOptions): Promise<HybridResult>;
  searchDiverseExercises(query: string, options?: DiverseOptions): Promise<HybridHit[]>;
  /** The same, saying which rankers answered (full text alone while the vector store is down). */
  findDiverseExercises(query: string, options?: DiverseOptions): Promise<HybridResult>;
  getCollectionInfo(): Promise<CollectionInfo>;
  reindex(options?: { batchSize?: number; onProgress?: (p: ReindexProgress) => void }): Promise<ReindexResult>;
}

/**
 * A vector hit with no similarity at all shares nothing with the query (a word no row has): it is
 * no match, and keeping it would fill results with an arbitrary pick among equal scores.
 */
const related = (hit: { score: number }) => hit.score > 1e-9;

function unavailableReason(status: VectorIndexStatus): string | undefined {
  if (!status.available) return status.reason;
  if (status.needsReindex) return status.message ?? 'The vector index needs a reindex.';
  return undefined;
}

export function createSearchService(deps: SearchServiceDeps): SearchService {
  const { db, embedder, index } = deps;
  const weights = deps.weights ?? HYBRID_WEIGHTS;
  const snapshot = deps.snapshot;
  const memoryPath = snapshot && index.backend === 'pgvector' ? createMemorySearchPath(db, snapshot, deps.memorySearchMaxRows) : null;

  function requireIndex(): void {
    const reason = unavailableReason(index.status());
    if (reason) throw new UnavailableError(`Search by meaning is unavailable: ${reason}`, { retryable: false });
  }

  async function embedQuery(query: string): Promise<number[]> {
    const [vector] = await embedder.embed([query], 'query');
    return vector!;
  }

  /** Full rows for ranked ids, in rank order, with one query (none from memory). */
  async function withRows<T extends { id: string }>(hits: readonly T[], lib: MemoryLibrary | null): Promise<(T & { exercise: Exercise })[]> {
    const ids = hits.map((h) => h.id);
    const rows = lib ? hits.flatMap((h) => lib.row(h.id)?.exercise ?? []) : await readExercisesByIds(db, deps.rows?.() ?? null, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return hits.flatMap((h) => {
      const exercise = byId.get(h.id);
      return exercise ? [{ ...h, exercise }] : [];
    });
  }

  async function storeEmbedding(exercises: ChunkRow | readonly ChunkRow[], tx?: Queryable): Promise<void> {
    const list: readonly ChunkRow[] = Array.isArray(exercises) ? exercises : [exercises as ChunkRow];
    if (list.length === 0) return;
    requireIndex();
    const vectors = await embedder.embed(list.map(buildExerciseChunk), 'document');
    await index.upsert(
      list.map((e, i) => ({ id: e.id, vector: vectors[i]! })),
      tx,
    );
  }

  async function searchSimilarExercises(query: string, options: SimilarOptions = {}): Promise<ScoredExercise[]> {
    const q = parseInput(queryText, query, 'query');
    const o = parseInput(similarSchema, options);
    requireIndex();
    const lib = (await memoryPath?.library()) ?? null;
    const vector = await embedQuery(rewriteQuery(q));
    const opts = {
      limit: o.limit,
      ...(o.filters ? { filters: o.filters } : {}),
      ...(o.scoreThreshold !== undefined ? { scoreThreshold: o.scoreThreshold } : {}),
    };
    const hits = lib?.vectorSearch(vector, opts) ?? (await index.search(vector, opts));
    return (await withRows(hits.filter(related), lib))
      .map(({ exercise, score }) => ({ exercise, score }))
      .sort((a, b) => b.score - a.score || compareByName({ id: a.exercise.id, name: a.exercise.exercise_name }, { id: b.exercise.id, name: b.exercise.exercise_name }));
  }

  let sizeCache: { rows: number; at: number } | null = null;
  /** Rows in the library, counted at most every 30 s (a count on every search would cost more than it tells). */
  async function librarySize(): Promise<number> {
    if (!sizeCache || Date.now() - sizeCache.at > 30_000) {
      sizeCache = { rows: await countExercises(db), at: Date.now() };
    }
    return sizeCache.rows;
  }

  async function hybridRanking(typed: string, filters: ExerciseFilters | undefined, depth: number) {
    const q = rewriteQuery(typed);
    // One snapshot for the whole search, so every part of it sees the same library.
    const lib = (await memoryPath?.library()) ?? null;
    let reason = unavailableReason(index.status());
    // Embedding first: a provider that is down must fail the search, not quietly degrade it.
    const vector = reason ? undefined : await embedQuery(q);
    const filter = filters ? { filters } : {};
    // A store that stops answering mid-flight degrades this search to full text, like one known down.
    const vectorSearch = async (limit: number): Promise<VectorHit[] | null> => {
      const inMemory = lib?.vectorSearch(vector!, { limit, ...filter });
      if (inMemory) return inMemory;
      try {
        return await index.search(vector!, { limit, ...filter });
      } catch (error) {
        if (!(error instanceof UnavailableError)) throw error;
        reason = error.message;
        return null;
      }
    };
    const rankText = async (opts: Parameters<typeof rankFulltext>[2]) => (lib && (await memoryPath!.fulltext(lib, q, opts))) || rankFulltext(db, q, opts);
    let fulltext: Awaited<ReturnType<typeof rankFulltext>>;
    let semantic: VectorHit[] | null = null;
    if (vector && (lib ? lib.size : await librarySize()) > (deps.fulltextScanMaxRows ?? FULLTEXT_SCAN_MAX_ROWS)) {
      // A natural-language OR query matches most of a large library, and matching alone then
      // costs hundreds of ms: full text re-ranks the vector side's (deeper) candidates instead.
      semantic = await vectorSearch(Math.min(Math.max(depth, LARGE_LIBRARY_DEPTH), 1000));
      fulltext = await rankText({ limit: depth, ...filter, ...(semantic ? { within: semantic.map((h) => h.id) } : {}) });
      semantic = semantic?.slice(0, depth) ?? null;
    } else {
      [fulltext, semantic] = await Promise.all([
        rankText({ limit: depth, ...filter }),
        vector ? vectorSearch(Math.min(depth, 1000)) : Promise.resolve(null),
      ]);
    }
    const vectorHits = semantic?.filter(related) ?? null;
    const lists: RankedCandidates[] = [{ name: 'fulltext', weight: weights.fulltext, hits: fulltext.map((h) => ({ id: h.id, score: h.rank })) }];
    if (vectorHits) lists.push({ name: 'vector', weight: weights.vector, hits: vectorHits });
    const candidates = [...fulltext.map((h) => h.id), ...(vectorHits ?? []).map((h) => h.id)];
    const facts = lib ? lib.facts(candidates) : await candidateFacts(db, candidates, deps.rows?.());
    const params = { categoryPrior: deps.categoryPrior ?? HYBRID_PARAMS.categoryPrior, negationPenalty: HYBRID_PARAMS.negationPenalty };
    const noMatch = noGoodMatch(q, fulltext.length);
    return { fused: noMatch ? [] : rankHybrid(lists, facts, queryIntent(q), params), reason, lib, noMatch };
  }

  async function findExercises(query: string, options: HybridOptions = {}): Promise<HybridResult> {
    const q = parseInput(queryText, query, 'query');
    const o = parseInput(hybridSchema, options);
    const { fused, reason, lib, noMatch } = await hybridRanking(q, o.filters, Math.max(FUSION_DEPTH, o.limit));
    const items = (await withRows(fused.slice(0, o.limit), lib)).map(({ exercise, score, ranks }) => ({ exercise, score, ranks }));
    return { items, ranker: reason ? 'fulltext' : 'hybrid', ...(reason ? { degraded: reason } : {}), ...(noMatch ? { noMatch } : {}) };
  }

  async function findDiverseExercises(query: string, options: DiverseOptions = {}): Promise<HybridResult> {
    const q = parseInput(queryText, query, 'query');
    const o = parseInput(diverseSchema, options);
    const pool = o.candidates ?? Math.min(500, Math.max(50, o.count * 5));
    const { fused, reason, lib, noMatch } = await hybridRanking(q, o.filters, Math.max(FUSION_DEPTH, pool));
    const hits = await withRows(fused.slice(0, pool), lib);
    const vectors = reason
      ? new Map<string, number[]>()
      : lib
        ? lib.vectors(hits.map((h) => h.id))
        : await index.vectors(hits.map((h) => h.id)).catch((error: unknown) => {
          if (error instanceof UnavailableError) return new Map<string, number[]>();
          throw error;
        });
    const chosen = selectDiverse(
      hits.map((h) => ({
        ...h,
        relevance: h.score,
        vector: vectors.get(h.id),
        group: h.exercise.normalized_url,
        pattern: movementPattern(h.exercise.exercise_name),
      })),
      { count: o.count, diversity: o.diversity, maxPerGroup: o.maxPerSource ?? 2, maxPerPattern: o.maxPerPattern ?? 2 },
    );
    const items = chosen.map(({ exercise, score, ranks }) => ({ exercise, score, ranks }));
    return { items, ranker: reason ? 'fulltext' : 'hybrid', ...(reason ? { degraded: reason } : {}), ...(noMatch ? { noMatch } : {}) };
  }

  async function reindex(options: { batchSize?: number; onProgress?: (p: ReindexProgress) => void } = {}): Promise<ReindexResult> {
    const batchSize = options.batchSize ?? db.writeBatchSize;
    let status = index.status();
    if (!status.available) status = await index.init();
    if (!status.available) throw new UnavailableError(status.reason, { retryable: false });
    const reset = status.needsReindex;
    if (reset) await index.reset();
    const rows = await countExercises(db);
    const total = Math.max(0, rows - (await index.info()).vectors_count);
    let done = 0;
    let after: string | undefined;
    for (;;) {
      const ids = await index.missing(batchSize, after);
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      const batch = await getExercisesByIds(db, ids);
      // One transaction per batch: a crash loses at most the batch in flight, and the next
      // run picks up from what is still missing.
      if (index.consistency === 'outbox') await storeEmbedding(batch);
      else await db.transaction((tx) => storeEmbedding(batch, tx));
      done += batch.length;
      options.onProgress?.({ done, total: Math.max(done, total) });
    }
    return { embedded: done, model: embedder.model, reset };
  }

  return {
    async initVectorStore() {
      await embedder.init();
      return index.init();
    },
    storeEmbedding,
    async deleteEmbedding(id, tx) {
      await index.delete([id], tx);
    },
    searchSimilarExercises,
    findExercises,
    findDiverseExercises,
    searchDiverseExercises: async (query, options) => (await findDiverseExercises(query, options)).items,
    getCollectionInfo: () => index.info(),
    reindex,
  };
}
