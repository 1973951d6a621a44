-- Transactional outbox for vector stores outside PostgreSQL (Qdrant). Every insert, update and
-- delete of an exercise writes an entry here in the same transaction (the trigger below), so a
-- committed change can never be lost on its way to the store; the relay (src/vectors/relay.ts)
-- pushes the exercise's current state and removes the entries. Entries are written only while a
-- store that needs them is recorded in vector_index_state (backend 'qdrant'): with pgvector alone
-- vectors commit with their rows and the outbox stays empty.
CREATE TABLE vector_outbox (
  seq bigserial PRIMARY KEY,
  exercise_id uuid NOT NULL,
  op text NOT NULL CHECK (op IN ('upsert', 'delete')),
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- a relay's lease on the entry; an expired lease (relay killed) lets another relay take it
  locked_by text,
  locked_until timestamptz,
  last_error text
);
-- Per-exercise order: only the oldest entry of an exercise may be claimed (see claimOutbox).
CREATE INDEX vector_outbox_exercise_idx ON vector_outbox (exercise_id, seq);
CREATE INDEX vector_outbox_due_idx ON vector_outbox (next_attempt_at, seq);

CREATE FUNCTION vector_outbox_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM vector_index_state WHERE backend = 'qdrant') THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO vector_outbox (exercise_id, op) VALUES (OLD.id, 'delete');
  ELSE
    INSERT INTO vector_outbox (exercise_id, op) VALUES (NEW.id, 'upsert');
  END IF;
  RETURN NULL;
END
$$;

-- AFTER ROW: the entry is written after the row change, so it comes after the row lock and the
-- entries of one exercise get sequence numbers in commit order.
CREATE TRIGGER exercises_vector_outbox AFTER INSERT OR UPDATE OR DELETE ON exercises
  FOR EACH ROW EXECUTE FUNCTION vector_outbox_capture();
