-- Model registry: adapter repositories (one per tenant and segment), immutable versions with
-- their lineage, tags, aliases and the append-only audit trail of alias moves.
-- Composite foreign keys over tenant_id keep every row inside its tenant, as in V1.

CREATE TABLE adapter_repositories (
    id                  uuid             PRIMARY KEY,
    tenant_id           uuid             NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    segment             varchar(63)      NOT NULL,
    description         varchar(1000),
    -- the promotion gate: which aliases it guards and the rule it applies
    gate                varchar(32)      NOT NULL DEFAULT 'eval_loss_no_worse',
    gate_max_eval_loss  double precision,
    gated_aliases       text[]           NOT NULL DEFAULT ARRAY['production'],
    -- the last version number handed out; numbers are never reused, even after a delete
    latest_version      integer          NOT NULL DEFAULT 0,
    created_at          timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT uq_adapter_repositories_tenant_segment UNIQUE (tenant_id, segment),
    CONSTRAINT uq_adapter_repositories_tenant_id UNIQUE (tenant_id, id),
    CONSTRAINT fk_adapter_repositories_segment FOREIGN KEY (tenant_id, segment)
        REFERENCES segments (tenant_id, name) ON DELETE CASCADE,
    CONSTRAINT ck_adapter_repositories_gate CHECK (gate IN ('eval_loss_no_worse', 'max_eval_loss', 'none')),
    CONSTRAINT ck_adapter_repositories_gate_threshold CHECK (gate <> 'max_eval_loss' OR gate_max_eval_loss IS NOT NULL),
    CONSTRAINT ck_adapter_repositories_latest CHECK (latest_version >= 0)
);

CREATE TABLE adapter_versions (
    id                   uuid              PRIMARY KEY,
    seq                  bigserial         NOT NULL UNIQUE,
    tenant_id            uuid              NOT NULL,
    repository_id        uuid              NOT NULL,
    number               integer           NOT NULL,
    source_job_id        uuid              REFERENCES fine_tuning_jobs (id),
    base_model_id        uuid              NOT NULL REFERENCES base_models (id),
    base_model_name      varchar(255)      NOT NULL,
    base_model_sha256    char(64),
    dataset_sha256       char(64)          NOT NULL,
    eval_set_sha256      char(64),
    method               varchar(16)       NOT NULL,
    hyperparameters      jsonb             NOT NULL,
    eval_loss            double precision,
    perplexity           double precision,
    initial_eval_loss    double precision,
    curve_steps          integer           NOT NULL,
    first_train_loss     double precision,
    final_train_loss     double precision,
    min_eval_loss        double precision,
    artifact_prefix      varchar(1024)     NOT NULL,
    artifact_sha256      char(64)          NOT NULL,
    artifact_size_bytes  bigint            NOT NULL,
    created_by           varchar(200)      NOT NULL,
    created_at           timestamptz       NOT NULL,
    archived_at          timestamptz,
    archived_by          varchar(200),
    deleted_at           timestamptz,
    deleted_by           varchar(200),
    CONSTRAINT fk_adapter_versions_repository FOREIGN KEY (tenant_id, repository_id)
        REFERENCES adapter_repositories (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT uq_adapter_versions_number UNIQUE (repository_id, number),
    CONSTRAINT uq_adapter_versions_repository_id UNIQUE (repository_id, id),
    -- a job registers one version, however often its completion event arrives
    CONSTRAINT uq_adapter_versions_source_job UNIQUE (source_job_id),
    CONSTRAINT ck_adapter_versions_number CHECK (number >= 1),
    CONSTRAINT ck_adapter_versions_method CHECK (method IN ('lora', 'qlora', 'adapter')),
    CONSTRAINT ck_adapter_versions_sha CHECK (dataset_sha256 ~ '^[0-9a-f]{64}$' AND artifact_sha256 ~ '^[0-9a-f]{64}$'
        AND (base_model_sha256 IS NULL OR base_model_sha256 ~ '^[0-9a-f]{64}$')
        AND (eval_set_sha256 IS NULL OR eval_set_sha256 ~ '^[0-9a-f]{64}$')),
    CONSTRAINT ck_adapter_versions_size CHECK (artifact_size_bytes >= 0 AND curve_steps >= 0)
);
CREATE INDEX ix_adapter_versions_tenant_seq ON adapter_versions (tenant_id, seq DESC);

-- A registered version is immutable: only its archive and delete marks may change.
CREATE FUNCTION adapter_versions_immutable() RETURNS trigger AS $$
BEGIN
    IF (to_jsonb(NEW) - ARRAY['archived_at', 'archived_by', 'deleted_at', 'deleted_by'])
            IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['archived_at', 'archived_by', 'deleted_at', 'deleted_by']) THEN
        RAISE EXCEPTION 'adapter version % of repository % is immutable', OLD.number, OLD.repository_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER tr_adapter_versions_immutable BEFORE UPDATE ON adapter_versions
    FOR EACH ROW EXECUTE FUNCTION adapter_versions_immutable();

CREATE TABLE adapter_version_tags (
    version_id  uuid           NOT NULL REFERENCES adapter_versions (id) ON DELETE CASCADE,
    key         varchar(128)   NOT NULL,
    value       varchar(1000)  NOT NULL,
    PRIMARY KEY (version_id, key)
);
CREATE INDEX ix_adapter_version_tags_key_value ON adapter_version_tags (key, value);

CREATE TABLE adapter_aliases (
    repository_id  uuid          NOT NULL REFERENCES adapter_repositories (id) ON DELETE CASCADE,
    name           varchar(63)   NOT NULL,
    version_id     uuid          NOT NULL,
    -- optimistic lock: a move succeeds only if the alias is still where the mover saw it
    revision       bigint        NOT NULL DEFAULT 0,
    updated_at     timestamptz   NOT NULL,
    updated_by     varchar(200)  NOT NULL,
    PRIMARY KEY (repository_id, name),
    -- an alias can only point at a version of its own repository
    CONSTRAINT fk_adapter_aliases_version FOREIGN KEY (repository_id, version_id)
        REFERENCES adapter_versions (repository_id, id),
    CONSTRAINT ck_adapter_aliases_name CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$')
);
CREATE INDEX ix_adapter_aliases_version ON adapter_aliases (version_id);

-- Every alias move, forced or not; rows are only ever inserted.
CREATE TABLE adapter_alias_audit (
    id             bigserial      PRIMARY KEY,
    tenant_id      uuid           NOT NULL,
    repository_id  uuid           NOT NULL,
    alias          varchar(63)    NOT NULL,
    action         varchar(16)    NOT NULL,
    from_version   integer,
    to_version     integer,
    forced         boolean        NOT NULL DEFAULT false,
    gate_outcome   varchar(500),
    reason         varchar(1000),
    actor          varchar(200)   NOT NULL,
    occurred_at    timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT fk_adapter_alias_audit_repository FOREIGN KEY (tenant_id, repository_id)
        REFERENCES adapter_repositories (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT ck_adapter_alias_audit_action CHECK (action IN ('promote', 'rollback', 'remove')),
    CONSTRAINT ck_adapter_alias_audit_forced_reason CHECK (NOT forced OR reason IS NOT NULL)
);
CREATE INDEX ix_adapter_alias_audit_repository ON adapter_alias_audit (repository_id, alias, id DESC);

CREATE FUNCTION adapter_alias_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the alias audit trail is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER tr_adapter_alias_audit_append_only BEFORE UPDATE ON adapter_alias_audit
    FOR EACH ROW EXECUTE FUNCTION adapter_alias_audit_append_only();
