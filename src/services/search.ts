import { z } from 'zod';
import type { Db } from '../database/db.js';
import type { LibraryMirror } from '../database/mirror.js';
import type { Exercise, ExerciseFilters } from '../database/types.js';
import { filtersSchema, parseInput } from '../database/validate.js';
import type { Embedder } from '../embeddings/types.js';
import { UnavailableError, ValidationError } from '../errors.js';
import { movementPattern } from '../language/vocabulary.js';
import { MAX_DIVERSE_CANDIDATES, MAX_QUERY_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT as MAX_LIMIT } from '../limits.js';
import { compareByName, HYBRID_PARAMS, noGoodMatch, queryIntent, rankHybrid, type RankedCandidates } from '../search/hybrid.js';
import { rewriteQuery } from '../language/rewrite.js';
import { selectDiverse } from '../search/mmr.js';
import { createLibraryReader, type LibraryReader, type LibraryView } from '../search/view.js';
import type { VectorHit, VectorIndex } from '../vectors/types.js';
import type { AppContext } from './context.js';
import { requireIndex, unavailableReason } from './vectors.js';

/**
 * Search by meaning over the exercise library: pure vector search, hybrid (full-text + vector)
 * ranking, and diverse selection for routines. Each search opens one LibraryView (the in-memory
 * library or the database, see search/view.ts) and reads everything through it.
 */
export interface SearchContext {
  readonly db: Db;
  readonly embedder: Embedder;
  readonly index: VectorIndex;
  readonly mirror: Pick<LibraryMirror, 'read'> | null;
  /** Ranking knobs for benches and tests; the served values otherwise. */
  readonly searchTuning?: SearchTuning;
}

export interface SearchTuning {
  /** Fusion weights; defaults to HYBRID_WEIGHTS. */
  weights?: { fulltext: number; vector: number };
  /** Category prior after fusion; defaults to HYBRID_PARAMS.categoryPrior. */
  categoryPrior?: number;
  /** Library size above which full text only re-ranks vector candidates (default FULLTEXT_SCAN_MAX_ROWS). */
  fulltextScanMaxRows?: number;
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
    // Any cosine similarity: clients are held to SCORE_THRESHOLD_MIN..MAX at the edge.
    scoreThreshold: z.number().min(-1, 'must be from -1 to 1').max(1, 'must be from -1 to 1').optional(),
    filters: filtersSchema.optional(),
  })
  .strict();

const hybridSchema = z.object({ limit: limit.default(SEARCH_DEFAULT_LIMIT), filters: filtersSchema.optional() }).strict();

const diverseSchema = z
  .object({
    limit: limit.default(SEARCH_DEFAULT_LIMIT),
    candidates: z.number().int().min(1).max(MAX_DIVERSE_CANDIDATES, `must be at most ${MAX_DIVERSE_CANDIDATES}`).optional(),
    diversity: z.number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1').default(0.3),
    maxPerSource: z.number().int().min(1).optional(),
    maxPerPattern: z.number().int().min(1).optional(),
    filters: filtersSchema.optional(),
  })
  .strict();

export type SimilarOptions = z.input<typeof similarSchema>;
export type HybridOptions = z.input<typeof hybridSchema>;
export type DiverseOptions = z.input<typeof diverseSchema>;

/**
 * A vector hit with no similarity at all shares nothing with the query (a word no row has): it is
 * no match, and keeping it would fill results with an arbitrary pick among equal scores.
 */
const related = (hit: { score: number }) => hit.score > 1e-9;

// What outlives one search (the in-memory library's derived structures, the row count) belongs to
// the context that searches: one reader per context, made on its first search.
const readers = new WeakMap<SearchContext, LibraryReader>();

function openView(ctx: SearchContext): Promise<LibraryView> {
  let reader = readers.get(ctx);
  if (!reader) {
    const max = ctx.searchTuning?.memorySearchMaxRows;
    reader = createLibraryReader({ db: ctx.db, index: ctx.index, mirror: ctx.mirror, ...(max !== undefined ? { memorySearchMaxRows: max } : {}) });
    readers.set(ctx, reader);
  }
  return reader.open();
}

async function embedQuery(ctx: SearchContext, query: string): Promise<number[]> {
  const [vector] = await ctx.embedder.embed([query], 'query');
  return vector!;
}

/** Full rows for ranked ids, in rank order. */
async function withRows<T extends { id: string }>(view: LibraryView, hits: readonly T[]): Promise<(T & { exercise: Exercise })[]> {
  const byId = await view.rows(hits.map((h) => h.id));
  return hits.flatMap((h) => {
    const exercise = byId.get(h.id);
    return exercise ? [{ ...h, exercise }] : [];
  });
}

export async function searchSimilarExercises(ctx: SearchContext, query: string, options: SimilarOptions = {}): Promise<ScoredExercise[]> {
  const q = parseInput(queryText, query, 'query');
  const o = parseInput(similarSchema, options);
  requireIndex(ctx.index);
  const view = await openView(ctx);
  const vector = await embedQuery(ctx, rewriteQuery(q));
  const hits = await view.vectorSearch(vector, {
    limit: o.limit,
    ...(o.filters ? { filters: o.filters } : {}),
    ...(o.scoreThreshold !== undefined ? { scoreThreshold: o.scoreThreshold } : {}),
  });
  return (await withRows(view, hits.filter(related)))
    .map(({ exercise, score }) => ({ exercise, score }))
    .sort((a, b) => b.score - a.score || compareByName({ id: a.exercise.id, name: a.exercise.exercise_name }, { id: b.exercise.id, name: b.exercise.exercise_name }));
}

async function hybridRanking(ctx: SearchContext, view: LibraryView, typed: string, filters: ExerciseFilters | undefined, depth: number) {
  const q = rewriteQuery(typed);
  const tuning = ctx.searchTuning ?? {};
  const weights = tuning.weights ?? HYBRID_WEIGHTS;
  let reason = unavailableReason(ctx.index.status());
  // Embedding first: a provider that is down must fail the search, not quietly degrade it.
  const vector = reason ? undefined : await embedQuery(ctx, q);
  const filter = filters ? { filters } : {};
  // A store that stops answering mid-flight degrades this search to full text, like one known down.
  const vectorSearch = async (limit: number): Promise<VectorHit[] | null> => {
    try {
      return await view.vectorSearch(vector!, { limit, ...filter });
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      reason = error.message;
      return null;
    }
  };
  let fulltext: Awaited<ReturnType<LibraryView['fulltext']>>;
  let semantic: VectorHit[] | null = null;
  if (vector && (await view.size()) > (tuning.fulltextScanMaxRows ?? FULLTEXT_SCAN_MAX_ROWS)) {
    // A natural-language OR query matches most of a large library, and matching alone then
    // costs hundreds of ms: full text re-ranks the vector side's (deeper) candidates instead.
    semantic = await vectorSearch(Math.min(Math.max(depth, LARGE_LIBRARY_DEPTH), 1000));
    fulltext = await view.fulltext(q, { limit: depth, ...filter, ...(semantic ? { within: semantic.map((h) => h.id) } : {}) });
    semantic = semantic?.slice(0, depth) ?? null;
  } else {
    [fulltext, semantic] = await Promise.all([
      view.fulltext(q, { limit: depth, ...filter }),
      vector ? vectorSearch(Math.min(depth, 1000)) : Promise.resolve(null),
    ]);
  }
  const vectorHits = semantic?.filter(related) ?? null;
  const lists: RankedCandidates[] = [{ name: 'fulltext', weight: weights.fulltext, hits: fulltext.map((h) => ({ id: h.id, score: h.rank })) }];
  if (vectorHits) lists.push({ name: 'vector', weight: weights.vector, hits: vectorHits });
  const candidates = [...fulltext.map((h) => h.id), ...(vectorHits ?? []).map((h) => h.id)];
  const facts = await view.facts(candidates);
  const params = { categoryPrior: tuning.categoryPrior ?? HYBRID_PARAMS.categoryPrior, negationPenalty: HYBRID_PARAMS.negationPenalty };
  const noMatch = noGoodMatch(q, fulltext.length);
  return { fused: noMatch ? [] : rankHybrid(lists, facts, queryIntent(q), params), reason, noMatch };
}

export async function findExercises(ctx: SearchContext, query: string, options: HybridOptions = {}): Promise<HybridResult> {
  const q = parseInput(queryText, query, 'query');
  const o = parseInput(hybridSchema, options);
  // One view for the whole search, so every part of it sees the same library.
  const view = await openView(ctx);
  const { fused, reason, noMatch } = await hybridRanking(ctx, view, q, o.filters, Math.max(FUSION_DEPTH, o.limit));
  const items = (await withRows(view, fused.slice(0, o.limit))).map(({ exercise, score, ranks }) => ({ exercise, score, ranks }));
  return { items, ranker: reason ? 'fulltext' : 'hybrid', ...(reason ? { degraded: reason } : {}), ...(noMatch ? { noMatch } : {}) };
}

/** searchDiverseExercises, saying which rankers answered (full text alone while the vector store is down). */
export async function findDiverseExercises(ctx: SearchContext, query: string, options: DiverseOptions = {}): Promise<HybridResult> {
  const q = parseInput(queryText, query, 'query');
  const o = parseInput(diverseSchema, options);
  const pool = o.candidates ?? Math.min(MAX_DIVERSE_CANDIDATES, Math.max(50, o.limit * 5));
  const view = await openView(ctx);
  const { fused, reason, noMatch } = await hybridRanking(ctx, view, q, o.filters, Math.max(FUSION_DEPTH, pool));
  const hits = await withRows(view, fused.slice(0, pool));
  const vectors = reason
    ? new Map<string, number[]>()
    : await view.vectors(hits.map((h) => h.id)).catch((error: unknown) => {
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
    { count: o.limit, diversity: o.diversity, maxPerGroup: o.maxPerSource ?? 2, maxPerPattern: o.maxPerPattern ?? 2 },
  );
  const items = chosen.map(({ exercise, score, ranks }) => ({ exercise, score, ranks }));
  return { items, ranker: reason ? 'fulltext' : 'hybrid', ...(reason ? { degraded: reason } : {}), ...(noMatch ? { noMatch } : {}) };
}

export async function searchDiverseExercises(ctx: SearchContext, query: string, options: DiverseOptions = {}): Promise<HybridHit[]> {
  return (await findDiverseExercises(ctx, query, options)).items;
}

export interface SearchRequest {
  limit: number;
  filters?: ExerciseFilters;
  /** Minimum relevance score (0-1, see rankHybrid): filters the served ranking. */
  scoreThreshold?: number;
  diverse?: boolean;
  diversity?: number;
}

export interface SearchAnswer {
  results: { score: number; exercise: Exercise }[];
  ranker: string;
  /** Why the vector side did not answer (the store is down or not set up): full text answered alone. */
  degraded?: string;
  /** Why there are no results: the query matched nothing meaningful. */
  noMatch?: string;
}

/** A query longer than SEARCH_MAX_QUERY_CHARS is refused: its cost grows with its words. */
function assertQueryBounds(ctx: AppContext, query: string): void {
  const max = ctx.config.searchMaxQueryChars;
  if (query.length > max) throw new ValidationError('query', `must be at most ${max} characters`);
}

/** The contract's semantic-search-ids: ids best first, and why the vector side did not answer if it did not. */
export async function findExerciseIds(
  ctx: AppContext,
  query: string,
  limit: number,
  filters?: ExerciseFilters,
): Promise<{ ids: string[]; degraded?: string }> {
  assertQueryBounds(ctx, query);
  const found = await findExercises(ctx, query, { limit, ...(filters ? { filters } : {}) });
  return { ids: found.items.map((r) => r.exercise.id), ...(found.degraded ? { degraded: found.degraded } : {}) };
}

/** One entry for every search the API and CLI offer: hybrid by default, diverse or thresholded on request. */
export async function searchExercises(ctx: AppContext, query: string, request: SearchRequest): Promise<SearchAnswer> {
  assertQueryBounds(ctx, query);
  if (request.diverse) {
    const found = await findDiverseExercises(ctx, query, {
      limit: request.limit,
      candidates: Math.min(MAX_DIVERSE_CANDIDATES, Math.max(50, request.limit * 2)),
      filters: request.filters,
      ...(request.diversity !== undefined ? { diversity: request.diversity } : {}),
    });
    return answer(found, request.scoreThreshold, found.degraded ? 'fulltext' : 'diverse');
  }
  const found = await findExercises(ctx, query, { limit: request.limit, filters: request.filters });
  return answer(found, request.scoreThreshold, found.ranker);
}

/** The threshold filters the served ranking on its own score (0-1); it never switches rankers. */
function answer(found: HybridResult, min: number | undefined, ranker: string): SearchAnswer {
  const results = min === undefined ? found.items : found.items.filter((r) => r.score >= min);
  return { results, ranker, ...(found.degraded ? { degraded: found.degraded } : {}), ...(found.noMatch ? { noMatch: found.noMatch } : {}) };
}
