-- Tells a process that keeps the library in memory (src/database/mirror.ts) which exercises
-- changed. PostgreSQL delivers a notification only when its transaction commits, and drops it on
-- rollback, so whatever the writer (a store, a restore, plain SQL), the listener hears about a
-- change exactly when it becomes visible. Identical notifications of one transaction are folded
-- into one, so a batch that writes a row and then its vector costs one message per row.
-- The payload is the exercise id; '*' means "reload everything" (TRUNCATE, a dropped vector table).
CREATE FUNCTION exercise_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('exercise_changed', '*');
  ELSIF TG_TABLE_NAME = 'exercises' THEN
    PERFORM pg_notify('exercise_changed', (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
    -- An edit that changes the key moves the row: the old id is gone too.
    IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
      PERFORM pg_notify('exercise_changed', OLD.id::text);
    END IF;
  ELSE
    PERFORM pg_notify('exercise_changed', (CASE WHEN TG_OP = 'DELETE' THEN OLD.exercise_id ELSE NEW.exercise_id END)::text);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER exercises_changed_notify AFTER INSERT OR UPDATE OR DELETE ON exercises
  FOR EACH ROW EXECUTE FUNCTION exercise_changed_notify();
CREATE TRIGGER exercises_truncated_notify AFTER TRUNCATE ON exercises
  FOR EACH STATEMENT EXECUTE FUNCTION exercise_changed_notify();
