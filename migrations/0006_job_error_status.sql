-- The 4xx status of a job that failed on its submitter's input (a segment past the video's end,
-- a redirect to a private address), so a caller waiting for the job answers with it, not a 500.
ALTER TABLE jobs ADD COLUMN error_status smallint;
