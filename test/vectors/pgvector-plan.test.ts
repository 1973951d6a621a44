import { describe, expect, it } from 'vitest';
import { chooseVectorPlan, efSearchFor, EXACT_SCAN_MAX_ROWS, INDEX_EF_SEARCH, type PlanInput } from '../../src/vectors/pgvector-plan.js';

const base: PlanInput = { filtered: true, estimatedRows: 0, totalRows: 100_000 };
const index = { kind: 'index', efSearch: INDEX_EF_SEARCH };

describe('chooseVectorPlan (selectivity -> plan)', () => {
  it.each([
    ['no filter, any size', { filtered: false, estimatedRows: 100_000 }, index],
    ['no filter, tiny library', { filtered: false, estimatedRows: 5, totalRows: 5 }, index],
    ['filter matching nothing', { estimatedRows: 0 }, { kind: 'exact' }],
    ['selective filter, 1 % of 100k', { estimatedRows: 1_000 }, { kind: 'exact' }],
    ['at the exact-scan limit', { estimatedRows: EXACT_SCAN_MAX_ROWS }, { kind: 'exact' }],
    ['just above the exact-scan limit: post-filter', { estimatedRows: EXACT_SCAN_MAX_ROWS + 1 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, candidates: 300 }],
    ['broad filter, 67 % of 100k: post-filter 3x limit / selectivity', { estimatedRows: 67_000 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, candidates: 45 }],
    ['broad filter, a deeper limit', { estimatedRows: 50_000, limit: 100 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, candidates: 600 }],
    ['broad filter, a limit the short list cannot cover', { estimatedRows: 50_000, limit: 200 }, index],
    ['filter matching 20 % of 100k, top 10: post-filter', { estimatedRows: 20_000 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, candidates: 150 }],
    ['estimate above the table size is clamped', { estimatedRows: 250_000 }, { kind: 'postfilter', efSearch: INDEX_EF_SEARCH, candidates: 30 }],
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
