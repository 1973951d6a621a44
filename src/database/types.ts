/** Row shapes as clients see them (snake_case, the contract's field names and order). */
export const PLATFORMS = ['youtube', 'instagram', 'tiktok', 'web', 'catalogue'] as const;
export type ExercisePlatform = (typeof PLATFORMS)[number];

export interface Exercise {
  id: string;
  exercise_name: string;
  video_path: string | null;
  start_time: number | null;
  end_time: number | null;
  how_to: string | null;
  benefits: string | null;
  counteracts: string | null;
  fitness_level: number | null;
  rounds_reps: string | null;
  intensity: number | null;
  qdrant_id: string | null;
  created_at: string;
  // beyond the contract
  url: string | null;
  normalized_url: string;
  carousel_index: number;
  platform: ExercisePlatform;
  duration: number | null;
  thumbnail_path: string | null;
  category: string | null;
  primary_muscles: string[];
  secondary_muscles: string[];
  equipment: string | null;
  force: string | null;
  mechanic: string | null;
  job_id: string | null;
  updated_at: string;
}

/** What a caller gives to create an exercise. Omitted optional fields are stored as null. */
export interface ExerciseInput {
  id?: string;
  url: string | null;
  /** Derived from `url` when omitted; required for catalogue rows that have no URL. */
  normalized_url?: string;
  platform?: ExercisePlatform;
  carousel_index?: number;
  exercise_name: string;
  video_path?: string | null;
  thumbnail_path?: string | null;
  start_time?: number | null;
  end_time?: number | null;
  how_to?: string | null;
  benefits?: string | null;
  counteracts?: string | null;
  fitness_level?: number | null;
  intensity?: number | null;
  rounds_reps?: string | null;
  qdrant_id?: string | null;
  category?: string | null;
  primary_muscles?: string[];
  secondary_muscles?: string[];
  equipment?: string | null;
  force?: string | null;
  mechanic?: string | null;
  job_id?: string | null;
}

/** Fields a user may edit after the fact. */
export type ExercisePatch = Partial<
  Pick<
    ExerciseInput,
    | 'exercise_name'
    | 'how_to'
    | 'benefits'
    | 'counteracts'
    | 'fitness_level'
    | 'intensity'
    | 'rounds_reps'
    | 'category'
    | 'primary_muscles'
    | 'secondary_muscles'
    | 'equipment'
    | 'force'
    | 'mechanic'
  >
>;

export interface Range {
  min?: number;
  max?: number;
}

/** Metadata filters shared by the relational listing and the vector search. */
export interface ExerciseFilters {
  /** Case-insensitive substring of the name, matched literally (no wildcards). */
  name?: string;
  fitness_level?: Range;
  intensity?: Range;
  /** Clip duration in seconds. */
  duration?: Range;
  category?: string[];
  /** Any of these muscles, primary or secondary. */
  muscles?: string[];
  equipment?: string[];
  platform?: ExercisePlatform[];
  /** Source URL, compared by its normalized form. */
  url?: string;
  /** Only exercises that have a clip. */
  has_clip?: boolean;
}

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
