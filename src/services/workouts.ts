import * as store from '../database/index.js';
import { NotFoundError } from '../errors.js';
import type { ExerciseHistory, HistoryIndex } from '../training/history.js';
import { toStrongCsv } from '../training/strong-csv.js';
import type { SetInput, Workout, WorkoutExerciseInput, WorkoutListItem, WorkoutStart, WorkoutSummary } from '../training/workouts.js';
import type { AppContext } from './context.js';

/** Use cases of the workout log: run a workout set by set, finish it, read the history. */
export function startWorkout(ctx: AppContext, input: WorkoutStart): Promise<Workout> {
  return store.startWorkout(ctx.db, input);
}

export async function getWorkout(ctx: AppContext, id: string): Promise<Workout> {
  const workout = await store.getWorkout(ctx.db, id);
  if (!workout) throw new NotFoundError('Workout', id);
  return workout;
}

export function listWorkouts(ctx: AppContext, limit: number, offset: number): Promise<WorkoutListItem[]> {
  return store.listWorkouts(ctx.db, limit, offset);
}

export function addWorkoutExercise(ctx: AppContext, id: string, input: WorkoutExerciseInput): Promise<Workout> {
  return store.addWorkoutExercise(ctx.db, id, input);
}

export function updateWorkoutExercise(ctx: AppContext, id: string, workoutExerciseId: string, patch: unknown): Promise<Workout> {
  return store.updateWorkoutExercise(ctx.db, id, workoutExerciseId, patch);
}

export function reorderWorkoutExercises(ctx: AppContext, id: string, ids: readonly string[]): Promise<Workout> {
  return store.reorderWorkoutExercises(ctx.db, id, ids);
}

export function logSet(ctx: AppContext, id: string, setId: string, input: SetInput): Promise<Workout> {
  return store.putWorkoutSet(ctx.db, id, setId, input);
}

export function deleteSet(ctx: AppContext, id: string, setId: string): Promise<Workout> {
  return store.deleteWorkoutSet(ctx.db, id, setId);
}

export function finishWorkout(ctx: AppContext, id: string): Promise<WorkoutSummary> {
  return store.finishWorkout(ctx.db, id);
}

export function summarizeWorkout(ctx: AppContext, id: string): Promise<WorkoutSummary> {
  return store.summarizeWorkout(ctx.db, id);
}

export function deleteWorkout(ctx: AppContext, id: string): Promise<void> {
  return store.deleteWorkout(ctx.db, id);
}

export function exerciseHistory(ctx: AppContext, exerciseId: string): Promise<ExerciseHistory> {
  return store.exerciseHistory(ctx.db, exerciseId);
}

export function exercisesDone(ctx: AppContext): Promise<HistoryIndex> {
  return store.exercisesDone(ctx.db);
}

/** The whole log as Strong's CSV export. */
export async function exportStrongCsv(ctx: AppContext): Promise<string> {
  return toStrongCsv(await store.exportLogRows(ctx.db));
}
