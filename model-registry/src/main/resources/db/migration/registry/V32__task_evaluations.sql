-- On-demand task evaluations (issue 13): a registry version's adapter and its base model answer the
-- prompts of one of the tenant's datasets; a worker claims the request (lease), writes the answers
-- (JSONL) to object storage and the mean scores here. Never run in the API.
CREATE TABLE task_evaluations (
    id                uuid          PRIMARY KEY,
    tenant_id         uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version_id        uuid          NOT NULL REFERENCES adapter_versions (id) ON DELETE CASCADE,
    dataset_id        uuid          NOT NULL,
    max_examples      integer       NOT NULL,
    max_new_tokens    integer       NOT NULL,
    extractor         varchar(500),
    status            varchar(16)   NOT NULL DEFAULT 'queued',
    lease_owner       varchar(200),
    lease_expires_at  timestamptz,
    attempt           integer       NOT NULL DEFAULT 0,
    result            jsonb,
    examples_key      varchar(1024),
    error             text,
    created_by        varchar(200)  NOT NULL,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    CONSTRAINT fk_task_evaluations_dataset FOREIGN KEY (tenant_id, dataset_id)
        REFERENCES datasets (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT ck_task_evaluations_status CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    CONSTRAINT ck_task_evaluations_settings CHECK (max_examples BETWEEN 1 AND 10000 AND max_new_tokens BETWEEN 1 AND 4096),
    CONSTRAINT ck_task_evaluations_lease CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
);
CREATE INDEX ix_task_evaluations_open ON task_evaluations (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX ix_task_evaluations_version ON task_evaluations (version_id, created_at DESC);
