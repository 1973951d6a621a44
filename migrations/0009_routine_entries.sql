-- Routine entries: each row of routine_exercises becomes an entry of its own (an id, so a
-- repeated exercise is edited, moved and removed on its own) with optional targets. Existing
-- rows keep their routine and position, so every routine keeps its order. The bounds of the
-- values are the application's (src/limits.ts); the checks here only keep a row coherent.
ALTER TABLE routine_exercises DROP CONSTRAINT routine_exercises_pkey;
ALTER TABLE routine_exercises
  ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN target_sets integer CHECK (target_sets >= 1),
  ADD COLUMN reps_min integer CHECK (reps_min >= 0),
  ADD COLUMN reps_max integer,
  ADD COLUMN duration_seconds integer CHECK (duration_seconds >= 1),
  ADD COLUMN weight_kg numeric(8, 2) CHECK (weight_kg >= 0),
  ADD COLUMN rest_seconds integer CHECK (rest_seconds >= 0),
  ADD COLUMN note text,
  -- entries of one routine with the same label form one superset or circuit
  ADD COLUMN group_label text,
  ADD COLUMN group_kind text CHECK (group_kind IN ('superset', 'circuit')),
  ADD CONSTRAINT routine_exercises_reps_ordered CHECK (reps_max IS NULL OR (reps_min IS NOT NULL AND reps_max >= reps_min)),
  ADD CONSTRAINT routine_exercises_reps_or_duration CHECK (reps_min IS NULL OR duration_seconds IS NULL),
  ADD CONSTRAINT routine_exercises_group_whole CHECK ((group_label IS NULL) = (group_kind IS NULL));
ALTER TABLE routine_exercises ADD PRIMARY KEY (id);
-- Deferred so that a reorder can swap positions inside one transaction.
ALTER TABLE routine_exercises ADD CONSTRAINT routine_exercises_position_key UNIQUE (routine_id, position) DEFERRABLE INITIALLY DEFERRED;
