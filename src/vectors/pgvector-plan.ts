import type { Queryable } from '../database/db.js';
import type { SqlFragment } from '../database/filters.js';

/**
 * How pgvector answers one filtered search, chosen per query from the filter's estimated
 * selectivity. Pure, so the rule is table-tested; the estimate comes from the planner.
 */
export type VectorPlan =
  /** `byKey`: fetch each match's vector by key rather than let the planner hash-join every stored vector. */
  | { kind: 'exact'; byKey: boolean }
  | { kind: 'index'; efSearch: number }
  /**
   * The filter applied to the unfiltered graph walk's nearest `window` rows (no join inside the
   * walk); answered only when `limit` matches sit within that window.
   */
  | { kind: 'postfilter'; efSearch: number; window: number };

export interface PlanInput {
  /** False for a search without filters. */
  filtered: boolean;
  /** The planner's estimate of rows matching the filter. */
  estimatedRows: number;
  /** Rows in the library (the planner's count). */
  totalRows: number;
  exactScanMaxRows?: number;
  /** Rows asked for: a post-filter needs a few times this many expected matches in its window. */
  limit?: number;
  postfilterWindow?: number;
}

/**
 * HNSW build parameters. Changing them rebuilds the index at the next start (init compares the
 * built index's options with these). Chosen from measurements at 100k rows (BENCHMARKS.md,
 * search-latency): see README, "Vector search plans".
 */
export const HNSW_PARAMS = { m: 16, efConstruction: 64 } as const;

/**
 * An exact scan costs about 9 us per matching row in PGlite at 100k rows (it fetches each match's
 * vector by key); it is always complete and exactly ordered. For a filter matching 7 % of 100k rows
 * its p95 was 2.4x the unfiltered search's against 8.0x for the graph plans, with recall 1.0
 * instead of 0.90 (BENCHMARKS.md, search-latency), so it is kept up to this many estimated matches
 * when the post-filter is not expected to answer.
 */
export const EXACT_SCAN_MAX_ROWS = 10_000;
/**
 * hnsw.ef_search of pgvector's index scans, its maximum: at 100k rows recall@10 by id was 0.77 at
 * 100, 0.95 at 400 and 0.98 at 1000, for 2.5x the latency of 400 (BENCHMARKS.md, search-latency).
 */
export const INDEX_EF_SEARCH = 1000;

/** hnsw_ef for Qdrant: the candidate list must be longer than the rows asked for. */
export function efSearchFor(limit: number): number {
  return Math.min(1000, Math.max(400, limit * 4));
}

/**
 * An HNSW scan at ef_search 1000 collects its 1000 candidates whatever the LIMIT, so reading the
 * nearest WINDOW of them costs little more than the unfiltered top 10. The list is least reliable at
 * its tail: at 100k rows the filtered top 10 read from the walk's first 250 / 500 / 1000 candidates
 * had recall@10 0.967 / 0.948 / 0.955 for a 7 % filter, 0.985 / 0.980 / 0.980 for a 67 % one, which
 * the first 500 answered for 49 of the 65 dev queries, the first 1000 for 50 (BENCHMARKS.md, search-latency).
 */
export const POSTFILTER_WINDOW = 500;
/**
 * The post-filter is tried, before any exact scan, when the window is expected to hold this many
 * times `limit` matches. Filters correlate with queries (a strength filter on a stretching query
 * finds few strength rows nearby), so the average misleads: with 35 expected matches in the window
 * (7 % of 100k) only 27 of the 65 dev queries found 10 there, with 333 (67 %) 49 at 100k rows and 62
 * at 10k, where it beat the exact scan of 6,662 rows (p95 1.9x the unfiltered search against 2.7x,
 * both forced in one run; BENCHMARKS.md, search-latency). Nothing was measured between 35 and 333.
 */
export const POSTFILTER_MARGIN = 10;

/**
 * An exact scan that fetches each match's vector by key costs about 8-14 us per match in PGlite; the
 * planner's hash join reads every stored vector instead, a cost per table row. By key won for 7 % of
 * 100k rows (search-latency p95 143 ms with the hash join, 85 ms by key) and lost for 67 % of 10k
 * (the forced exact scan's p95 4.05x the unfiltered search by key in one search-latency run, 2.7x
 * through the hash join in the next): the costs cross near a third of the table.
 */
export const EXACT_BY_KEY_MAX_SHARE = 0.3;

export function chooseVectorPlan(input: PlanInput): VectorPlan {
  if (!input.filtered) return { kind: 'index', efSearch: INDEX_EF_SEARCH };
  // Without statistics the selectivity is unknown: only the exact scan is cheap at any size then.
  if (input.totalRows < 1) return { kind: 'exact', byKey: false };
  const rows = Math.max(0, Math.min(input.estimatedRows, input.totalRows));
  const window = Math.min(input.postfilterWindow ?? POSTFILTER_WINDOW, INDEX_EF_SEARCH);
  if ((window * rows) / input.totalRows >= POSTFILTER_MARGIN * (input.limit ?? 10)) return { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, window };
  if (rows <= (input.exactScanMaxRows ?? EXACT_SCAN_MAX_ROWS)) return { kind: 'exact', byKey: rows < EXACT_BY_KEY_MAX_SHARE * input.totalRows };
  return { kind: 'index', efSearch: INDEX_EF_SEARCH };
}

/** How long a check that the statistics are fresh is trusted: it reads the stats views, which costs more than the estimate. */
export const STATS_CHECK_MS = 10_000;

export type MatchEstimator = (q: Queryable, where: SqlFragment) => Promise<{ estimatedRows: number; totalRows: number }>;

/**
 * The planner's estimate of rows matching `where` (on `exercises e`) and of the library's size:
 * one EXPLAIN, no table scan. Statistics must exist for the estimate to mean anything, so a table
 * never analyzed, or changed by over a fifth since (PGlite has no autovacuum), is analyzed first;
 * that check and the row count are reused for STATS_CHECK_MS.
 */
export function createMatchEstimator(now: () => number = Date.now): MatchEstimator {
  let checked: { at: number; total: number } | undefined;
  return async (q, where) => {
    if (!checked || now() - checked.at > STATS_CHECK_MS) {
      const [stats] = await q.query<{ fresh: boolean | null }>(
        `SELECT s.n_mod_since_analyze < 0.2 * GREATEST(c.reltuples, 1000) AND (s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL) AS fresh
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'exercises'::regclass`,
      );
      if (!stats?.fresh) await q.query('ANALYZE exercises');
      const [row] = await q.query<{ total: number }>(`SELECT reltuples::float8 AS total FROM pg_class WHERE oid = 'exercises'::regclass`);
      checked = { at: now(), total: Math.max(0, Number(row?.total ?? 0)) };
    }
    const [row] = await q.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM exercises e WHERE ${where.sql}`, where.params);
    const plan = row?.['QUERY PLAN'];
    const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: { 'Plan Rows': number } }[];
    return { estimatedRows: Number(parsed[0]?.Plan['Plan Rows'] ?? 0), totalRows: checked.total };
  };
}
