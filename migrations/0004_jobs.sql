-- Durable background jobs. A job is claimed by setting locked_by/locked_until; a worker that
-- dies (kill -9) stops renewing its lease and the job is claimed again once it expires.
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_progress', 'done', 'failed')),
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- one active job per key (e.g. a source URL): concurrent submissions share it
  dedupe_key text,
  result jsonb,
  error text,
  progress_step text,
  progress_percent smallint NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  run_after timestamptz NOT NULL DEFAULT now(),
  locked_by text,
  locked_until timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE UNIQUE INDEX jobs_active_key ON jobs (dedupe_key) WHERE status IN ('pending', 'in_progress');
CREATE INDEX jobs_runnable_idx ON jobs (run_after, created_at) WHERE status = 'pending';
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE status = 'in_progress';
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE status IN ('done', 'failed');
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, id DESC);
