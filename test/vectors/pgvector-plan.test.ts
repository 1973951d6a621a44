import { describe, expect, it } from 'vitest';
import { chooseVectorPlan, efSearchFor, EXACT_SCAN_MAX_ROWS, INDEX_EF_SEARCH, POSTFILTER_WINDOW, type PlanInput } from '../../src/vectors/pgvector-plan.js';

const base: PlanInput = { filtered: true, estimatedRows: 0, totalRows: 100_000 };
const index = { kind: 'index', efSearch: INDEX_EF_SEARCH };
const post = { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, window: POSTFILTER_WINDOW };

describe('chooseVectorPlan (selectivity -> plan)', () => {
  it.each([
    ['no filter, any size', { filtered: false, estimatedRows: 100_000 }, index],
    ['no filter, tiny library', { filtered: false, estimatedRows: 5, totalRows: 5 }, index],
    ['filter matching nothing', { estimatedRows: 0 }, { kind: 'exact' }],
    ['selective filter, 1 % of 100k', { estimatedRows: 1_000 }, { kind: 'exact' }],
    ['at the exact-scan limit', { estimatedRows: EXACT_SCAN_MAX_ROWS }, { kind: 'exact' }],
    ['just above the exact-scan limit: post-filter of the window', { estimatedRows: EXACT_SCAN_MAX_ROWS + 1 }, post],
    ['broad filter, 67 % of 100k: post-filter', { estimatedRows: 67_000 }, post],
    ['broad filter, a deeper limit the window still covers 3 times', { estimatedRows: 50_000, limit: 80 }, post],
    ['broad filter, a limit the window cannot cover 3 times', { estimatedRows: 50_000, limit: 100 }, index],
    ['filter matching 6 % of 1M: 30 expected matches in the window, post-filter', { estimatedRows: 60_000, totalRows: 1_000_000 }, post],
    ['filter matching 5 % of 1M: too few expected matches in the window', { estimatedRows: 50_000, totalRows: 1_000_000 }, index],
    ['estimate above the table size is clamped', { estimatedRows: 250_000 }, post],
    ['a smaller window (tests)', { estimatedRows: 120, totalRows: 180, exactScanMaxRows: 20, limit: 5, postfilterWindow: 23 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, window: 23 }],
    ['a window beyond ef_search is cut to it', { estimatedRows: 50_000, limit: 100, postfilterWindow: 5_000 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, window: INDEX_EF_SEARCH }],
    ['whole small library matches: exact', { estimatedRows: 800, totalRows: 873 }, { kind: 'exact' }],
    ['empty statistics (0 rows) with a filter: exact', { estimatedRows: 1, totalRows: 0 }, { kind: 'exact' }],
    ['a smaller exact-scan limit', { estimatedRows: 100, exactScanMaxRows: 50 }, index],
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
