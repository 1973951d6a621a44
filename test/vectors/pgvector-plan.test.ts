import { describe, expect, it } from 'vitest';
import { chooseVectorPlan, efSearchFor, EXACT_BY_KEY_MAX_SHARE, EXACT_SCAN_MAX_ROWS, INDEX_EF_SEARCH, POSTFILTER_WINDOW, type PlanInput } from '../../src/vectors/pgvector-plan.js';

const base: PlanInput = { filtered: true, estimatedRows: 0, totalRows: 100_000 };
const index = { kind: 'index', efSearch: INDEX_EF_SEARCH };
const post = { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, window: POSTFILTER_WINDOW };
const byKey = { kind: 'exact', byKey: true };
const hashJoin = { kind: 'exact', byKey: false };

describe('chooseVectorPlan (selectivity -> plan)', () => {
  it.each([
    ['no filter, any size', { filtered: false, estimatedRows: 100_000 }, index],
    ['no filter, tiny library', { filtered: false, estimatedRows: 5, totalRows: 5 }, index],
    ['filter matching nothing', { estimatedRows: 0 }, byKey],
    ['selective filter, 1 % of 100k', { estimatedRows: 1_000 }, byKey],
    ['7 % of 100k: 35 expected matches in the window, too few: exact', { estimatedRows: 7_000 }, byKey],
    ['20 % of 100k: 100 expected matches in the window, post-filter', { estimatedRows: 20_000 }, post],
    ['19 % of 100k: exact scan limit exceeded, too few expected matches: iterative', { estimatedRows: 19_000 }, index],
    ['at the exact-scan limit', { estimatedRows: EXACT_SCAN_MAX_ROWS }, byKey],
    ['just above the exact-scan limit, 10 %: iterative', { estimatedRows: EXACT_SCAN_MAX_ROWS + 1 }, index],
    ['broad filter, 67 % of 100k: post-filter', { estimatedRows: 67_000 }, post],
    ['broad filter, 67 % of 10k: post-filter before any exact scan', { estimatedRows: 6_700, totalRows: 10_000 }, post],
    ['broad filter, a deeper limit the window still covers 10 times', { estimatedRows: 60_000, limit: 30 }, post],
    ['broad filter, a limit the window cannot cover 10 times', { estimatedRows: 60_000, limit: 31 }, index],
    ['estimate above the table size is clamped', { estimatedRows: 250_000 }, post],
    ['whole small library matches: post-filter (the walk holds every row)', { estimatedRows: 800, totalRows: 873 }, post],
    ['small library, a few matches: exact', { estimatedRows: 100, totalRows: 873 }, byKey],
    ['empty statistics (0 rows) with a filter: exact, as the planner joins', { estimatedRows: 1, totalRows: 0 }, hashJoin],
    ['most of a small library, a deep limit: exact through the hash join', { estimatedRows: 6_700, totalRows: 10_000, limit: 50 }, hashJoin],
    ['just under the by-key share', { estimatedRows: EXACT_BY_KEY_MAX_SHARE * 10_000 - 1, totalRows: 10_000, limit: 200 }, byKey],
    ['at the by-key share', { estimatedRows: EXACT_BY_KEY_MAX_SHARE * 10_000, totalRows: 10_000, limit: 200 }, hashJoin],
    ['a smaller exact-scan limit', { estimatedRows: 100, exactScanMaxRows: 50 }, index],
    ['a smaller window (tests)', { estimatedRows: 120, totalRows: 180, limit: 1, postfilterWindow: 23 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, window: 23 }],
    ['a window beyond ef_search is cut to it', { estimatedRows: 50_000, limit: 50, postfilterWindow: 5_000 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, window: INDEX_EF_SEARCH }],
  ] as [string, Partial<PlanInput>, ReturnType<typeof chooseVectorPlan>][])('%s', (_label, input, plan) => {
    expect(chooseVectorPlan({ ...base, ...input })).toEqual(plan);
  });
});

describe('efSearchFor (Qdrant)', () => {
  it.each([
    [10, 400],
    [200, 800],
    [1000, 1000],
  ])('limit %i -> %i', (limit, ef) => {
    expect(efSearchFor(limit)).toBe(ef);
  });
});
