import { randomUUID } from 'node:crypto';
import * as store from '../database/index.js';
import type {
  Exercise,
  ExerciseFilters,
  ExerciseInput,
  ExercisePatch,
  ListOptions,
  Page,
  RoutineInput,
  Stats,
  WorkoutRoutine,
} from '../database/index.js';
import type { Queryable } from '../database/db.js';
export type { ExerciseFilters };
export { PLATFORMS, SORT_FIELDS } from '../database/index.js';
export { MAX_BULK_IDS };
import { NotFoundError, ValidationError } from '../errors.js';
import type { HybridResult } from '../search/index.js';
import { MAX_BULK_IDS } from '../limits.js';
import { buildExerciseChunk } from '../language/chunk.js';
import { inTransactionRemovingClips } from './clip-removal.js';
import type { AppContext } from './context.js';

/**
 * Embeds rows for the vector index, or returns null when the index is unavailable (a server
 * without pgvector): rows are then stored without vectors and found by full-text search.
 */
async function embedRows(ctx: AppContext, rows: readonly Parameters<typeof buildExerciseChunk>[0][]): Promise<number[][] | null> {
  const status = ctx.index.status();
  // While a model change awaits `reindex`, rows are stored without vectors; reindex embeds them.
  if (!status.available || status.needsReindex || rows.length === 0) return null;
  // An external store is written by the outbox relay, which embeds the row as it then is.
  if (ctx.index.consistency === 'outbox') return null;
  return ctx.embedder.embed(rows.map((r) => buildExerciseChunk(r)), 'document');
}

/**
 * Use cases over the exercise library and routines. Every write that changes what an exercise
 * means (a new row, an edited name or taxonomy) re-embeds it in the same transaction, so the
 * row and its vector never disagree; deletes cascade through row, vector and clip files.
 */
export async function getExercise(ctx: AppContext, id: string): Promise<Exercise> {
  const exercise = await store.readExerciseById(ctx.db, ctx.mirror, id);
  if (!exercise) throw new NotFoundError('Exercise', id);
  return exercise;
}

export function listExercises(ctx: AppContext, filters: ExerciseFilters, options: ListOptions): Promise<Page<Exercise>> {
  return store.searchExercises(ctx.db, filters, options);
}

export function getExercisesByUrl(ctx: AppContext, url: string): Promise<Exercise[]> {
  return store.readExercisesByUrl(ctx.db, ctx.mirror, url);
}


export function getExercisesByIds(ctx: AppContext, ids: readonly string[]): Promise<Exercise[]> {
  if (ids.length > MAX_BULK_IDS) throw new ValidationError('exercise_ids', `must hold at most ${MAX_BULK_IDS} ids`);
  return store.readExercisesByIds(ctx.db, ctx.mirror, ids);
}

/** Exercises validated, given ids and embedded, ready to be written inside a transaction. */
export interface PreparedBatch {
  inputs: (ExerciseInput & { id: string })[];
  vectors: number[][] | null;
}

/**
 * Validates and embeds before any transaction opens: a remote embedding provider must not hold
 * a transaction (and on PGlite the whole database) while it answers.
 */
export async function embedForStore(ctx: AppContext, inputs: readonly ExerciseInput[]): Promise<PreparedBatch> {
  const prepared = inputs.map((input) => ({ ...input, id: input.id ?? randomUUID() }));
  const rows = prepared.map((p) => store.prepareExercise(p));
  return { inputs: prepared, vectors: await embedRows(ctx, rows) };
}

/** Writes rows and their vectors in the caller's transaction; returns the rows inserted. */
export async function writeExercises(
  ctx: AppContext,
  tx: Queryable,
  batch: PreparedBatch,
  onConflict: 'error' | 'skip',
): Promise<Exercise[]> {
  const stored = await store.storeExercisesIn(tx, batch.inputs, onConflict);
  if (batch.vectors) {
    const storedIds = new Set(stored.map((e) => e.id));
    const vectors = batch.vectors;
    await ctx.index.upsert(
      batch.inputs.map((p, i) => ({ id: p.id, vector: vectors[i]! })).filter((v) => storedIds.has(v.id)),
      tx,
    );
  }
  return stored;
}

/**
 * Stores exercises with their embeddings: rows and vectors commit together, so an embedding
 * failure leaves no row behind.
 */
export async function addExercises(
  ctx: AppContext,
  inputs: readonly ExerciseInput[],
  options: { onConflict: 'error' | 'skip' } = { onConflict: 'error' },
): Promise<Exercise[]> {
  const batch = await embedForStore(ctx, inputs);
  return ctx.db.transaction((tx) => writeExercises(ctx, tx, batch, options.onConflict));
}

/** Edits metadata and re-embeds; the vector is computed from the edited row before the transaction. */
export async function updateExercise(ctx: AppContext, id: string, patch: ExercisePatch): Promise<Exercise> {
  const current = await getExercise(ctx, id);
  const vectors = await embedRows(ctx, [{ ...current, ...patch }]);
  return ctx.db.transaction(async (tx) => {
    const updated = await store.updateExercise(tx, id, patch);
    if (vectors) await ctx.index.upsert([{ id, vector: vectors[0]! }], tx);
    return updated;
  });
}

/** Deletes the row with its vector, then the clip and thumbnail it owns (see inTransactionRemovingClips). */
export async function deleteExercise(ctx: AppContext, id: string): Promise<Exercise> {
  return inTransactionRemovingClips(ctx.db, ctx.config.clipsDir, async (tx, stage) => {
    const exercise = await store.deleteExerciseIn(tx, id);
    if (ctx.index.consistency === 'transaction' && ctx.index.status().available) await ctx.index.delete([exercise.id], tx);
    await stage([exercise]);
    return exercise;
  });
}

export function getStats(ctx: AppContext): Promise<Stats> {
  return store.getStats(ctx.db);
}

export function createRoutine(ctx: AppContext, input: RoutineInput): Promise<WorkoutRoutine> {
  return store.storeWorkoutRoutine(ctx.db, input);
}

export async function getRoutine(ctx: AppContext, id: string): Promise<WorkoutRoutine> {
  const routine = await store.getWorkoutRoutine(ctx.db, id);
  if (!routine) throw new NotFoundError('Routine', id);
  return routine;
}

export function listRoutines(ctx: AppContext, limit: number, offset = 0): Promise<WorkoutRoutine[]> {
  return store.getRecentWorkoutRoutines(ctx.db, limit, offset);
}

export function updateRoutine(ctx: AppContext, id: string, patch: Partial<RoutineInput>): Promise<WorkoutRoutine> {
  return store.updateWorkoutRoutine(ctx.db, id, patch);
}

export function deleteRoutine(ctx: AppContext, id: string): Promise<void> {
  return store.deleteWorkoutRoutine(ctx.db, id);
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

/**
 * Candidates a diverse search weighs at most: its cost grows with the pool (rows read, vectors
 * compared pairwise), and beyond a few times the requested count the picks no longer change.
 */
export const MAX_DIVERSE_CANDIDATES = 200;

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
  const found = await ctx.search.findExercises(query, { limit, ...(filters ? { filters } : {}) });
  return { ids: found.items.map((r) => r.exercise.id), ...(found.degraded ? { degraded: found.degraded } : {}) };
}

/** One entry for every search the API and CLI offer: hybrid by default, diverse or thresholded on request. */
export async function searchExercises(ctx: AppContext, query: string, request: SearchRequest): Promise<SearchAnswer> {
  assertQueryBounds(ctx, query);
  if (request.diverse) {
    const found = await ctx.search.findDiverseExercises(query, {
      count: request.limit,
      candidates: Math.min(MAX_DIVERSE_CANDIDATES, Math.max(50, request.limit * 2)),
      filters: request.filters,
      ...(request.diversity !== undefined ? { diversity: request.diversity } : {}),
    });
    return answer(found, request.scoreThreshold, found.degraded ? 'fulltext' : 'diverse');
  }
  const found = await ctx.search.findExercises(query, { limit: request.limit, filters: request.filters });
  return answer(found, request.scoreThreshold, found.ranker);
}

/** The threshold filters the served ranking on its own score (0-1); it never switches rankers. */
function answer(found: HybridResult, min: number | undefined, ranker: string): SearchAnswer {
  const results = min === undefined ? found.items : found.items.filter((r) => r.score >= min);
  return { results, ranker, ...(found.degraded ? { degraded: found.degraded } : {}), ...(found.noMatch ? { noMatch: found.noMatch } : {}) };
}
