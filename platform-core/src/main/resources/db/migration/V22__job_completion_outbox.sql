-- The transactional outbox of job completions. The worker inserts a job's FineTuningSucceeded
-- (as JSON) in the same transaction that marks the job succeeded, so a crash after that commit
-- cannot lose it. A consumer (the model registry) delivers entries at least once: it locks an
-- entry, registers the version and marks the entry complete in one transaction; a failed attempt
-- pushes next_attempt_at back (exponential backoff) and keeps the error for operators.
CREATE TABLE job_completion_outbox (
    job_id          uuid         PRIMARY KEY REFERENCES fine_tuning_jobs (id) ON DELETE CASCADE,
    event           jsonb        NOT NULL,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    attempts        integer      NOT NULL DEFAULT 0,
    next_attempt_at timestamptz  NOT NULL DEFAULT now(),
    last_error      text,
    completed_at    timestamptz,
    CONSTRAINT ck_job_completion_outbox_attempts CHECK (attempts >= 0)
);
CREATE INDEX ix_job_completion_outbox_due ON job_completion_outbox (next_attempt_at) WHERE completed_at IS NULL;

-- The registry reference ('segment/N') of the version a succeeded job produced: null until the
-- registry has registered it (asynchronously, through the outbox above), then set in the same
-- transaction as the version.
ALTER TABLE fine_tuning_jobs ADD COLUMN fine_tuned_model varchar(128);
