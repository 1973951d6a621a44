/**
 * The domain: what an exercise is (its one schema and the shapes derived from it) and the rules
 * every write obeys. Pure: it imports nothing of ours, and every other part may import it.
 */
export * from './exercise.js';
export * from './filters.js';
export * from './rules.js';
export * from './jobs.js';
