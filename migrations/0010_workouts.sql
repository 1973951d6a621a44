-- Workouts: what was done, set by set. A workout copies the exercise name so its history outlives
-- the exercise (and imported history may name exercises the library does not have).
CREATE TABLE workouts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  routine_id uuid REFERENCES workout_routines (id) ON DELETE SET NULL,
  name text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
  note text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workouts_times_ordered CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX workouts_started_at_idx ON workouts (started_at DESC, id DESC);

CREATE TABLE workout_exercises (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workout_id uuid NOT NULL REFERENCES workouts (id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 0),
  exercise_id uuid REFERENCES exercises (id) ON DELETE SET NULL,
  exercise_name text NOT NULL,
  rest_seconds integer CHECK (rest_seconds >= 0),
  group_label text,
  group_kind text CHECK (group_kind IN ('superset', 'circuit')),
  skipped boolean NOT NULL DEFAULT false,
  CONSTRAINT workout_exercises_position_key UNIQUE (workout_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX workout_exercises_exercise_idx ON workout_exercises (exercise_id);
CREATE INDEX workout_exercises_name_idx ON workout_exercises (lower(exercise_name));

-- A set's id may be chosen by the client, so two devices adding sets never collide, and a write
-- to one set replaces it whole (last write per set wins).
CREATE TABLE workout_sets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workout_exercise_id uuid NOT NULL REFERENCES workout_exercises (id) ON DELETE CASCADE,
  set_number integer NOT NULL CHECK (set_number >= 1),
  reps integer CHECK (reps >= 0),
  weight_kg numeric(8, 2) CHECK (weight_kg >= 0),
  duration_seconds integer CHECK (duration_seconds >= 0),
  rpe numeric(3, 1) CHECK (rpe BETWEEN 1 AND 10),
  done boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workout_sets_exercise_idx ON workout_sets (workout_exercise_id, set_number);
