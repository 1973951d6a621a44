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
    ['just above the limit', { estimatedRows: EXACT_SCAN_MAX_ROWS + 1 }, index],
    ['broad filter, 67 % of 100k', { estimatedRows: 67_000 }, index],
    ['estimate above the table size is clamped', { estimatedRows: 250_000 }, index],
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
