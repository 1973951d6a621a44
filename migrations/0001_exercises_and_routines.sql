-- Exercises: one row per exercise clip (or per catalogue entry, which has no clip).
CREATE TABLE exercises (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the source as submitted, and its canonical form (see src/urls/normalize.ts); catalogue
  -- entries use a `catalogue://<source>/<id>` key so re-imports are recognised
  url text,
  normalized_url text NOT NULL,
  platform text NOT NULL CHECK (platform IN ('youtube', 'instagram', 'tiktok', 'web', 'catalogue')),
  -- 1-based slide of an Instagram carousel; 1 for a single video
  carousel_index integer NOT NULL DEFAULT 1 CHECK (carousel_index >= 1),
  exercise_name text NOT NULL CHECK (char_length(btrim(exercise_name)) BETWEEN 1 AND 200),
  video_path text,
  thumbnail_path text,
  start_time numeric(10, 3) CHECK (start_time >= 0),
  end_time numeric(10, 3) CHECK (end_time >= 0),
  duration numeric(10, 3) GENERATED ALWAYS AS (end_time - start_time) STORED,
  how_to text,
  benefits text,
  counteracts text,
  fitness_level smallint CHECK (fitness_level BETWEEN 0 AND 10),
  intensity smallint CHECK (intensity BETWEEN 0 AND 10),
  rounds_reps text,
  -- id of the exercise's point in an external vector index (Qdrant); null for pgvector
  qdrant_id uuid,
  category text,
  primary_muscles text[] NOT NULL DEFAULT '{}',
  secondary_muscles text[] NOT NULL DEFAULT '{}',
  equipment text,
  force text,
  mechanic text,
  -- weighted full-text document (name A, taxonomy B, text C), written with the row
  search_document tsvector NOT NULL DEFAULT ''::tsvector,
  -- the job that produced the row, for forced re-runs and auditing
  job_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT exercises_times_ordered CHECK (start_time IS NULL OR end_time IS NULL OR end_time > start_time)
);

-- Refuses duplicate processing of the same source + carousel item + exercise.
CREATE UNIQUE INDEX exercises_source_key ON exercises (normalized_url, carousel_index, lower(exercise_name));
CREATE INDEX exercises_created_at_idx ON exercises (created_at DESC, id DESC);
CREATE INDEX exercises_fitness_level_idx ON exercises (fitness_level);
CREATE INDEX exercises_intensity_idx ON exercises (intensity);
CREATE INDEX exercises_category_idx ON exercises (category);
CREATE INDEX exercises_equipment_idx ON exercises (equipment);
CREATE INDEX exercises_platform_idx ON exercises (platform);
CREATE INDEX exercises_muscles_idx ON exercises USING gin (primary_muscles, secondary_muscles);
CREATE INDEX exercises_search_idx ON exercises USING gin (search_document);
CREATE INDEX exercises_job_idx ON exercises (job_id) WHERE job_id IS NOT NULL;

CREATE TABLE workout_routines (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workout_routines_created_at_idx ON workout_routines (created_at DESC, id DESC);

-- A routine's ordered exercises. The foreign key makes a dangling reference impossible: deleting
-- an exercise removes it from every routine (and bumps the routine's updated_at, see deleteExercise).
CREATE TABLE routine_exercises (
  routine_id uuid NOT NULL REFERENCES workout_routines (id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 0),
  exercise_id uuid NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
  PRIMARY KEY (routine_id, position)
);
CREATE INDEX routine_exercises_exercise_idx ON routine_exercises (exercise_id);
