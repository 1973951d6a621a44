/** Row shapes as clients see them (snake_case, the contract's field names and order). */
export {
  FORCES,
  PLATFORMS,
  type Exercise,
  type ExerciseFilters,
  type ExerciseForce,
  type ExerciseInput,
  type ExercisePatch,
  type ExercisePlatform,
  type Range,
} from '../domain/index.js';

export const SORT_FIELDS = ['created_at', 'exercise_name', 'fitness_level', 'intensity', 'duration'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface ListOptions {
  sort?: SortField;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface WorkoutRoutine {
  routine_id: string;
  name: string;
  description: string | null;
  exercise_ids: string[];
  created_at: string;
  updated_at: string;
}

export interface RoutineInput {
  name: string;
  description?: string | null;
  exercise_ids: string[];
}

export interface Stats {
  total_exercises: number;
  avg_fitness_level: number | null;
  avg_intensity: number | null;
  unique_urls: number;
  total_routines: number;
  exercises_with_clips: number;
  by_platform: Record<string, number>;
  by_category: Record<string, number>;
}
