-- The stable code of a failed job's error (AppError.code: cancelled, private_address,
-- validation_error, processing_failed...), so clients map codes, never the wording of messages.
ALTER TABLE jobs ADD COLUMN error_code text;
