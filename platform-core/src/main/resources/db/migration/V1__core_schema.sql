-- Core schema of the fine-tuning platform. Every tenant-owned row carries tenant_id;
-- composite foreign keys (tenant_id, id) make it impossible for a job to point at
-- another tenant's segment or dataset, whatever the application code does.

CREATE TABLE tenants (
    id          uuid         PRIMARY KEY,
    name        varchar(100) NOT NULL UNIQUE,
    created_at  timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE segments (
    id          uuid         PRIMARY KEY,
    tenant_id   uuid         NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        varchar(63)  NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT uq_segments_tenant_name UNIQUE (tenant_id, name),
    CONSTRAINT uq_segments_tenant_id UNIQUE (tenant_id, id),
    CONSTRAINT ck_segments_name CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$')
);

CREATE TABLE api_keys (
    id            uuid         PRIMARY KEY,
    tenant_id     uuid         NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name          varchar(100) NOT NULL,
    prefix        varchar(32)  NOT NULL UNIQUE,
    secret_sha256 bytea        NOT NULL,
    scopes        text[]       NOT NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    -- the install's bootstrap key: the only kind that may create tenants
    operator      boolean      NOT NULL DEFAULT false,
    CONSTRAINT ck_api_keys_hash_len CHECK (octet_length(secret_sha256) = 32),
    CONSTRAINT ck_api_keys_scopes CHECK (cardinality(scopes) > 0
        AND scopes <@ ARRAY['admin', 'submit', 'read']::text[])
);
CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE datasets (
    id                 uuid          PRIMARY KEY,
    tenant_id          uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name               varchar(255)  NOT NULL,
    format             varchar(32)   NOT NULL,
    object_key         varchar(1024) NOT NULL,
    sha256             char(64)      NOT NULL,
    size_bytes         bigint        NOT NULL,
    rows               bigint,
    estimated_tokens   bigint,
    validation_status  varchar(16)   NOT NULL DEFAULT 'pending',
    validation_errors  jsonb         NOT NULL DEFAULT '[]'::jsonb,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT uq_datasets_tenant_id UNIQUE (tenant_id, id),
    CONSTRAINT ck_datasets_format CHECK (format IN ('chat', 'instruction', 'completion', 'sharegpt', 'text')),
    CONSTRAINT ck_datasets_sha256 CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT ck_datasets_size CHECK (size_bytes >= 0),
    CONSTRAINT ck_datasets_rows CHECK (rows IS NULL OR rows >= 0),
    CONSTRAINT ck_datasets_tokens CHECK (estimated_tokens IS NULL OR estimated_tokens >= 0),
    CONSTRAINT ck_datasets_validation_status CHECK (validation_status IN ('pending', 'valid', 'invalid'))
);
CREATE INDEX ix_datasets_tenant_created ON datasets (tenant_id, created_at DESC);

-- tenant_id NULL means a global base model that every tenant may use.
CREATE TABLE base_models (
    id              uuid          PRIMARY KEY,
    tenant_id       uuid          REFERENCES tenants (id) ON DELETE CASCADE,
    name            varchar(255)  NOT NULL,
    object_prefix   varchar(1024) NOT NULL,
    config_summary  jsonb         NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz   NOT NULL DEFAULT now()
);
-- one name per tenant, and one name among the global models
CREATE UNIQUE INDEX uq_base_models_tenant_name
    ON base_models (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), name);

CREATE TABLE fine_tuning_jobs (
    id                     uuid          PRIMARY KEY,
    tenant_id              uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    segment_id             uuid          NOT NULL,
    base_model_id          uuid          NOT NULL REFERENCES base_models (id),
    training_dataset_id    uuid          NOT NULL,
    validation_dataset_id  uuid,
    method                 varchar(16)   NOT NULL,
    hyperparameters        jsonb         NOT NULL,
    status                 varchar(20)   NOT NULL,
    suffix                 varchar(64),
    metadata               jsonb         NOT NULL DEFAULT '{}'::jsonb,
    seed                   bigint        NOT NULL,
    trained_tokens         bigint,
    estimated_finish       timestamptz,
    error_code             varchar(64),
    error_message          text,
    error_param            varchar(128),
    idempotency_key        varchar(255),
    lease_owner            varchar(200),
    lease_expires_at       timestamptz,
    heartbeat_at           timestamptz,
    attempt                integer       NOT NULL DEFAULT 0,
    version                bigint        NOT NULL DEFAULT 0,
    created_at             timestamptz   NOT NULL DEFAULT now(),
    started_at             timestamptz,
    finished_at            timestamptz,
    result_object_keys     text[]        NOT NULL DEFAULT '{}',
    -- "start from checkpoint": a checkpoint (job, step) of an earlier job of the same tenant
    from_checkpoint_job_id uuid,
    from_checkpoint_step   integer,
    CONSTRAINT fk_jobs_segment FOREIGN KEY (tenant_id, segment_id) REFERENCES segments (tenant_id, id),
    CONSTRAINT fk_jobs_training_dataset FOREIGN KEY (tenant_id, training_dataset_id)
        REFERENCES datasets (tenant_id, id),
    CONSTRAINT fk_jobs_validation_dataset FOREIGN KEY (tenant_id, validation_dataset_id)
        REFERENCES datasets (tenant_id, id),
    CONSTRAINT uq_jobs_tenant_idempotency UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT uq_jobs_tenant_id UNIQUE (tenant_id, id),
    CONSTRAINT ck_jobs_method CHECK (method IN ('lora', 'qlora', 'adapter')),
    CONSTRAINT ck_jobs_status CHECK (status IN
        ('validating_files', 'queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled')),
    CONSTRAINT ck_jobs_attempt CHECK (attempt >= 0),
    CONSTRAINT ck_jobs_trained_tokens CHECK (trained_tokens IS NULL OR trained_tokens >= 0),
    CONSTRAINT ck_jobs_lease CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL)),
    CONSTRAINT ck_jobs_from_checkpoint CHECK ((from_checkpoint_job_id IS NULL) = (from_checkpoint_step IS NULL)),
    CONSTRAINT fk_jobs_from_checkpoint_job FOREIGN KEY (tenant_id, from_checkpoint_job_id)
        REFERENCES fine_tuning_jobs (tenant_id, id)
);
-- the queue: oldest queued job first ...
CREATE INDEX ix_jobs_queue ON fine_tuning_jobs (created_at) WHERE status = 'queued';
-- ... and running/cancelling jobs whose worker stopped renewing its lease
CREATE INDEX ix_jobs_lease ON fine_tuning_jobs (lease_expires_at) WHERE status IN ('running', 'cancelling');
CREATE INDEX ix_jobs_tenant_created ON fine_tuning_jobs (tenant_id, created_at DESC);

CREATE TABLE job_events (
    id          bigserial    PRIMARY KEY,
    job_id      uuid         NOT NULL REFERENCES fine_tuning_jobs (id) ON DELETE CASCADE,
    level       varchar(8)   NOT NULL,
    message     text         NOT NULL,
    data        jsonb,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT ck_job_events_level CHECK (level IN ('debug', 'info', 'warn', 'error'))
);
CREATE INDEX ix_job_events_job ON job_events (job_id, id);

CREATE TABLE job_metrics (
    job_id             uuid              NOT NULL REFERENCES fine_tuning_jobs (id) ON DELETE CASCADE,
    step               integer           NOT NULL,
    epoch              double precision,
    loss               double precision,
    eval_loss          double precision,
    learning_rate      double precision,
    tokens_per_second  double precision,
    created_at         timestamptz       NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, step),
    CONSTRAINT ck_job_metrics_step CHECK (step >= 0)
);

CREATE TABLE job_checkpoints (
    job_id      uuid          NOT NULL REFERENCES fine_tuning_jobs (id) ON DELETE CASCADE,
    step        integer       NOT NULL,
    object_key  varchar(1024) NOT NULL,
    created_at  timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, step),
    CONSTRAINT ck_job_checkpoints_step CHECK (step >= 0)
);
