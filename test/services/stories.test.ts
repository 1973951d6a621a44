import { describe, expect, it } from 'vitest';
import { deriveStories, splitClauses } from '../../src/services/stories.js';

describe('offline story derivation', () => {
  it.each([
    ['I sit all day, my hips are tight, I want to do handstands', ['I sit all day', 'my hips are tight', 'I want to do handstands']],
    ['My lower back hurts. I want to run a marathon!', ['My lower back hurts', 'I want to run a marathon']],
    ['bad knees and I only have dumbbells', ['bad knees', 'I only have dumbbells']],
    ['Stiff shoulders; tight neck\nneed posture work', ['Stiff shoulders', 'tight neck', 'need posture work']],
    ['ok', []],
  ])('splits %j into clauses', (prompt, clauses) => {
    expect(splitClauses(prompt)).toEqual(clauses);
  });

  it.each([
    ['I sit all day, my hips are tight, I want to do handstands', 3, ['"my hips are tight"', '"I want to do handstands"', 'glutes']],
    ['My lower back hurts when I deadlift', 5, ['relieve "My lower back hurts when I deadlift"', 'lower back']],
    ['I want stronger legs. I have bad knees', 5, ['build toward "I want stronger legs"', 'Constraints: "I have bad knees"', 'quadriceps']],
    ['I am a beginner and want gentle mobility', 5, ['beginner friendly']],
  ])('derives paragraphs from %j in the user\'s own words', (prompt, count, fragments) => {
    const stories = deriveStories(prompt, count);
    expect(stories.length).toBeGreaterThan(0);
    expect(stories.length).toBeLessThanOrEqual(count);
    const text = stories.join(' ');
    for (const fragment of fragments) expect(text).toContain(fragment);
  });

  it('never returns more than asked, and nothing for a prompt with nothing in it', () => {
    expect(deriveStories('a, b, c, d, e, f, g', 2).length).toBeLessThanOrEqual(2);
    expect(deriveStories('hi', 5)).toEqual([]);
    expect(deriveStories('tight hips, tight hips', 5)).toHaveLength(1);
  });
});
