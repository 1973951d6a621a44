import { describe, expect, it } from 'vitest';
import { correctWord, isTypoOf, rewriteQuery } from '../../src/language/rewrite.js';

describe('rewriteQuery: abbreviations and nicknames', () => {
  it.each([
    ['rdl for hamstrings', 'romanian deadlift for hamstrings'],
    ['db rows', 'dumbbell rows'],
    ['hspu progression', 'handstand push up progression'],
    ['pec deck alternatives', 'butterfly machine fly alternatives'],
    ['nordic curls at home', 'glute ham raise at home'],
  ])('%s -> %s', (query, expected) => {
    expect(rewriteQuery(query)).toBe(expected);
  });

  it('keeps separators, so clause breaks still end a negation', () => {
    expect(rewriteQuery('no bb, db only')).toBe('no barbell, dumbbell only');
  });
});

describe('typing slips', () => {
  it.each([
    ['dumbell', 'dumbbell'],
    ['sqauts', 'squats'],
    ['kettlebel', 'kettlebell'],
    ['hamstrnig', 'hamstring'],
  ])('%s -> %s', (typo, word) => {
    expect(correctWord(typo)).toBe(word);
  });

  it.each([
    ['stuff'],
    ['every'],
    ['pounds'],
    ['chair'],
    ['tired'],
    ['plate'],
    ['squat'],
  ])('leaves %s alone (a real word, or known)', (word) => {
    expect(correctWord(word)).toBeUndefined();
  });

  it('tells slips from other words', () => {
    expect(isTypoOf('thrsut', 'thrust')).toBe(true);
    expect(isTypoOf('stuff', 'stiff')).toBe(false);
    expect(isTypoOf('very', 'every')).toBe(false);
    expect(isTypoOf('split', 'splits')).toBe(false);
  });
});
