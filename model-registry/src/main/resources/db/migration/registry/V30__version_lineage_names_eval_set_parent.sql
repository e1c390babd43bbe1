-- Lineage beyond hashes (issue 13): the training file's id and name, what the eval losses were
-- measured on (the eval set: validation file or held-out share, with everything its identity
-- eval_set_sha256 is made of), and the checkpoint (job, step) training started from.
-- Null in versions registered before; the immutability trigger covers the new columns as well.
ALTER TABLE adapter_versions
    ADD COLUMN dataset_id             uuid,
    ADD COLUMN dataset_name           varchar(255),
    ADD COLUMN eval_set               jsonb,
    ADD COLUMN from_checkpoint_job_id uuid,
    ADD COLUMN from_checkpoint_step   integer,
    ADD CONSTRAINT ck_adapter_versions_from_checkpoint
        CHECK ((from_checkpoint_job_id IS NULL) = (from_checkpoint_step IS NULL) AND coalesce(from_checkpoint_step, 0) >= 0);
