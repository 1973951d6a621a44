import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { num } from '../../src/cli/parse.js';
import { SCORE_THRESHOLD_MAX, SCORE_THRESHOLD_MIN } from '../../src/limits.js';

describe('the CLI validates numbers at the edge, with the bounds the API uses', () => {
  const threshold = num('threshold', SCORE_THRESHOLD_MIN, SCORE_THRESHOLD_MAX);
  it.each([
    ['0', 0],
    ['0.35', 0.35],
    ['1', 1],
  ])('accepts %j', (text, value) => {
    expect(threshold(text)).toBe(value);
  });
  it.each(['-0.5', '1.01', '', ' ', 'abc', 'NaN', 'Infinity'])('refuses %j naming the option', (text) => {
    expect(() => threshold(text)).toThrow(InvalidArgumentError);
    expect(() => threshold(text)).toThrow(/^threshold must be a number from 0 to 1$/);
  });
});
