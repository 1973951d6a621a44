import { describe, expect, it } from 'vitest';
import { isPipelineStep, PIPELINE_STAGES, PIPELINE_STEP_NAMES, PIPELINE_STEPS, stepPercent } from '../../src/domain/index.js';

/** The pipeline's one table of steps: what the progress bar shows as a job goes. */
describe('pipeline steps and their share of progress', () => {
  it('shares add up to the whole bar, stages come in order', () => {
    expect(PIPELINE_STEPS.reduce((sum, s) => sum + s.share, 0)).toBe(100);
    expect(PIPELINE_STAGES[0]).toBe('download');
    expect(PIPELINE_STAGES.at(-1)).toBe('store');
  });

  it.each([1, 2, 5])('never goes backwards over %i media items, from 0 to 100', (items) => {
    // The pipeline's own order: the steps before and after once, the per-item steps item by item.
    const seen: number[] = [];
    const visit = (name: (typeof PIPELINE_STEPS)[number]['name'], item: number) => {
      for (const fraction of [0, 0.5, 1]) seen.push(stepPercent(name, { item, items, fraction }));
    };
    const perItem = PIPELINE_STEPS.filter((s) => s.perItem);
    for (const step of PIPELINE_STEPS.filter((s) => !s.perItem && PIPELINE_STEPS.indexOf(s) < PIPELINE_STEPS.indexOf(perItem[0]!))) visit(step.name, 0);
    for (let item = 0; item < items; item++) for (const step of perItem) visit(step.name, item);
    for (const step of PIPELINE_STEPS.filter((s) => !s.perItem && PIPELINE_STEPS.indexOf(s) > PIPELINE_STEPS.indexOf(perItem.at(-1)!))) visit(step.name, 0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(100);
  });

  it.each([
    ['resolving', {}, 0],
    ['downloading', {}, 5],
    ['probing', {}, 10],
    ['probing', { item: 1, items: 2 }, 53],
    ['cutting clips', { fraction: 1 }, 95],
    ['cutting clips', { item: 0, items: 2, fraction: 1 }, 53],
    ['storing', {}, 95],
  ] as const)('%s %j is at %i %%', (step, at, percent) => {
    expect(stepPercent(step, at)).toBe(percent);
  });

  it('knows its own step names only', () => {
    for (const name of PIPELINE_STEP_NAMES) expect(isPipelineStep(name)).toBe(true);
    expect(isPipelineStep('working')).toBe(false);
    expect(isPipelineStep(null)).toBe(false);
  });
});
