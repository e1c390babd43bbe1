-- A tenant's unfinished jobs, counted for its quota (finetune.jobs.max-active-per-tenant) on every
-- submit while the tenant's row is locked: without this index the count read every job the tenant
-- ever ran (ix_jobs_tenant_created, then the status from the heap), so a long history made every
-- submit, and every other submit of the tenant waiting on that lock, slower. The predicate is the
-- submit's IN list, so the planner uses it; it holds at most the quota's worth of rows per tenant.
CREATE INDEX ix_jobs_tenant_active ON fine_tuning_jobs (tenant_id)
    WHERE status IN ('validating_files', 'queued', 'running', 'cancelling');
