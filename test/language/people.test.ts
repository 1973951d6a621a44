import { describe, expect, it } from 'vitest';
import { readPeople } from '../../src/language/people.js';
import { analyzeQuery } from '../../src/language/query.js';

/** Sentences written for these tests; each checks one general rule. */
const prefer = (q: string) => Object.fromEntries(analyzeQuery(q).people.prefer);

describe('readPeople: features of the exercise', () => {
  it.each([
    ['arm work I can do seated', 'position:seated'],
    ['something to do lying down before sleep', 'position:lying'],
    ['core moves on all fours', 'position:kneeling'],
    ['calf work standing up', 'position:standing'],
    ['hanging core work', 'position:hanging'],
    ['jumping drills for sprinters', 'impact:jumping'],
    ['single leg strength for hikers', 'balance'],
    ['one arm pressing', 'singleSide'],
    ['rotational core for throwers', 'rotational'],
  ])('%s -> prefers %s', (query, tag) => {
    expect(prefer(query)[tag]).toBeGreaterThan(0);
  });

  it('a negated feature excludes what it names, in every negation form', () => {
    for (const q of ['leg day, no jumping', 'nothing that involves jumping please', 'legs without jumping', 'not with any jumping']) {
      expect(analyzeQuery(q).people.exclude.has('impact:jumping'), q).toBe(true);
    }
    expect(analyzeQuery('chest work, no lying down or kneeling').people.exclude).toEqual(new Set(['position:lying', 'position:kneeling']));
  });

  it('a feature next to a word of pain is pushed away, not excluded', () => {
    const a = analyzeQuery('jumping hurts my shins');
    expect(a.people.exclude.size).toBe(0);
    expect(a.people.prefer.get('impact:jumping')).toBeLessThan(0);
  });

  it('sets feature words aside from word matching when other words remain', () => {
    expect([...analyzeQuery('shoulder stretches standing').setAsideTokens]).toEqual([2]);
    expect([...analyzeQuery('standing').setAsideTokens]).toEqual([]);
  });

  it('a daily-life goal claims its words before a feature can', () => {
    const p = prefer('help getting up from a chair without using my hands');
    expect(p['pattern:squat']).toBeGreaterThan(0);
    expect(p['position:seated']).toBeUndefined();
  });
});

describe('readPeople: situations are soft preferences', () => {
  it.each([
    ['my knees are bad, legs please', { 'load:knees:2': '<', 'impact:jumping': '<' }],
    ['sore lower back but want to train', { 'load:spine:2': '<' }],
    ['wrist pain from typing, chest ideas', { 'load:wrists:2': '<' }],
    ['shoulder hurts when I lift my arm', { 'load:shoulders:2': '<' }],
    ['workout for a hotel room', { 'space:large': '<' }],
    ['my downstairs neighbours complain about noise', { 'noise:loud': '<' }],
    ['I am pregnant and want to stay strong', { 'impact:jumping': '<', 'load:spine:2': '<' }],
    ['I am 71 years old', { 'impact:jumping': '<' }],
    ['never worked out before in my life', { 'concept:expert': '<' }],
    ['carrying groceries up the road is hard', { 'pattern:carry': '>' }],
    ['stairs leave me out of breath and my legs burn', { 'pattern:lunge': '>' }],
    ['I play tennis on weekends', { rotational: '>' }],
    ['I want to get better at bouldering', { grip: '>', 'pattern:pull': '>' }],
    ['gym is crowded at 6pm', { 'concept:machine': '<' }],
  ])('%s', (query, expected) => {
    const p = prefer(query);
    for (const [tag, sign] of Object.entries(expected)) {
      if (sign === '<') expect(p[tag], tag).toBeLessThan(0);
      else expect(p[tag], tag).toBeGreaterThan(0);
    }
  });

  it('a situation is not undone by a nearby "no"', () => {
    expect(analyzeQuery('no idea what to do with my bad knees').people.prefer.get('load:knees:2')).toBeLessThan(0);
  });

  it('situations add the concepts they imply, and nothing when none is said', () => {
    expect(readPeople('chunky forearms like popeye').concepts.get('forearms')).toBeGreaterThan(0);
    expect(analyzeQuery('my IT band is tight').weights.get('abductors')).toBeGreaterThan(0);
    const plain = readPeople('barbell rows');
    expect([plain.prefer.size, plain.exclude.size, plain.concepts.size]).toEqual([0, 0, 0]);
  });
});

describe('pain next to a movement, and negated exercises', () => {
  it('a movement that hurts is avoided, with what its phrase implies', () => {
    const w = analyzeQuery('lunges hurt my knees, what else for legs').weights;
    expect(w.get('lunge')).toBeLessThan(0);
  });

  it('a negated exercise is excluded, its muscle group is not', () => {
    const a = analyzeQuery('back work but no pull ups');
    expect(a.excluded.has('pull-up')).toBe(true);
    expect(a.weights.get('pull') ?? 0).toBeGreaterThanOrEqual(0);
    expect(a.excluded.has('lats')).toBe(false);
  });
});
