import { describe, expect, it } from 'vitest';
import { FINISHED_STEP, isPipelineStep, isProgressStep, PIPELINE_STAGES, PIPELINE_STEP_NAMES, PIPELINE_STEPS, stepPercent, type PipelineStep } from '../../src/domain/index.js';

/** The pipeline's one table of steps: what the progress bar shows as a job goes. */
describe('pipeline steps and their share of progress', () => {
  it('shares add up to the whole bar, stages come in order', () => {
    expect(PIPELINE_STEPS.reduce((sum, s) => sum + s.share, 0)).toBe(100);
    expect(PIPELINE_STAGES[0]).toBe('download');
    expect(PIPELINE_STAGES.at(-1)).toBe('store');
  });

  it.each([1, 2, 5])('never goes backwards over %i media items, from 0 to 100', (items) => {
    // In the pipeline's order: the steps before the items, each item's steps in turn, the rest.
    const seen: number[] = [];
    const visit = (step: PipelineStep, item = 0) => {
      for (const fraction of [0, 0.5, 1]) seen.push(stepPercent(step, { item, items, fraction }));
    };
    const firstPerItem = PIPELINE_STEPS.findIndex((s) => s.perItem);
    const perItem = PIPELINE_STEPS.filter((s) => s.perItem);
    PIPELINE_STEPS.slice(0, firstPerItem).forEach((s) => visit(s.name));
    for (let item = 0; item < items; item++) perItem.forEach((s) => visit(s.name, item));
    PIPELINE_STEPS.slice(firstPerItem + perItem.length).forEach((s) => visit(s.name));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(100);
  });

  const points: [PipelineStep, { item?: number; items?: number; fraction?: number }, number][] = [
    ['resolving', {}, 0],
    ['downloading', {}, 5],
    ['probing', {}, 10],
    ['probing', { item: 1, items: 2 }, 53],
    ['cutting clips', { fraction: 1 }, 95],
    ['cutting clips', { item: 0, items: 2, fraction: 1 }, 53],
    ['storing', {}, 95],
  ];
  it.each(points)('%s %j is at %i %%', (step, at, percent) => {
    expect(stepPercent(step, at)).toBe(percent);
  });

  it('knows its own step names only', () => {
    for (const name of PIPELINE_STEP_NAMES) expect(isPipelineStep(name)).toBe(true);
    expect(isPipelineStep('working')).toBe(false);
    expect(isPipelineStep(null)).toBe(false);
    // A finished job names its own step, which no pipeline step may take.
    expect(isPipelineStep(FINISHED_STEP)).toBe(false);
    expect(isProgressStep(FINISHED_STEP)).toBe(true);
    expect(isProgressStep('working')).toBe(false);
  });
});
