/**
 * The exercise store: every read and write of the `exercises` table goes through here. Row
 * mapping, reads and writes live in their own files; this is the one path callers import.
 */
export { EXERCISE_COLUMNS, exerciseColumns, mapExerciseRow, prepareExercise } from './exercise-rows.js';
export * from './exercise-reads.js';
export * from './exercise-writes.js';
