import { describe, expect, it } from 'vitest';
import { BASE_EF_SEARCH, chooseVectorPlan, efSearchFor, EXACT_SCAN_MAX_ROWS, type PlanInput } from '../../src/vectors/pgvector-plan.js';

const base: PlanInput = { filtered: true, estimatedRows: 0, totalRows: 100_000, limit: 10 };

describe('chooseVectorPlan (selectivity -> plan)', () => {
  it.each([
    ['no filter, any size', { filtered: false, estimatedRows: 100_000 }, { kind: 'index', efSearch: BASE_EF_SEARCH }],
    ['no filter, tiny library', { filtered: false, estimatedRows: 5, totalRows: 5 }, { kind: 'index', efSearch: BASE_EF_SEARCH }],
    ['filter matching nothing', { estimatedRows: 0 }, { kind: 'exact' }],
    ['selective filter, 1 % of 100k', { estimatedRows: 1_000 }, { kind: 'exact' }],
    ['at the exact-scan limit', { estimatedRows: EXACT_SCAN_MAX_ROWS }, { kind: 'exact' }],
    ['just above the limit: index, list widened by 1/selectivity and capped', { estimatedRows: EXACT_SCAN_MAX_ROWS + 1 }, { kind: 'index', efSearch: 1000 }],
    ['broad filter, 67 % of 100k', { estimatedRows: 67_000 }, { kind: 'index', efSearch: Math.ceil(BASE_EF_SEARCH / 0.67) }],
    ['filter matching everything', { estimatedRows: 100_000 }, { kind: 'index', efSearch: BASE_EF_SEARCH }],
    ['estimate above the table size is clamped', { estimatedRows: 250_000 }, { kind: 'index', efSearch: BASE_EF_SEARCH }],
    ['whole small library matches: exact', { estimatedRows: 800, totalRows: 873 }, { kind: 'exact' }],
    ['empty statistics (0 rows) with a filter: exact', { estimatedRows: 1, totalRows: 0 }, { kind: 'exact' }],
    ['a smaller exact-scan limit', { estimatedRows: 100, exactScanMaxRows: 50 }, { kind: 'index', efSearch: 1000 }],
  ] as [string, Partial<PlanInput>, ReturnType<typeof chooseVectorPlan>][])('%s', (_label, input, plan) => {
    expect(chooseVectorPlan({ ...base, ...input })).toEqual(plan);
  });
});

describe('efSearchFor', () => {
  it.each([
    [10, 1, BASE_EF_SEARCH],
    [200, 1, 800],
    [1000, 1, 1000],
    [10, 0.5, BASE_EF_SEARCH * 2],
    [10, 0.01, 1000],
    [10, 0, 1000],
  ])('limit %i, selectivity %f -> %i', (limit, selectivity, ef) => {
    expect(efSearchFor(limit, selectivity)).toBe(ef);
  });
});
