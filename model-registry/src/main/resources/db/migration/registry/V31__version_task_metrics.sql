-- Task metrics from generation (issue 13): the eval prompts answered by the base model and by the
-- adapter, mean exact match / contains / extracted match / ROUGE-L of each. Null when the worker ran
-- no task evaluation; the per-prompt answers lie next to the adapter (task_eval.jsonl).
ALTER TABLE adapter_versions ADD COLUMN task_metrics jsonb;

-- A gate rule on a task metric: the candidate adapter's score (exact_match, contains,
-- extracted_match or rouge_l) no worse than the current holder's, on the same eval set.
ALTER TABLE adapter_repositories
    ADD COLUMN gate_task_metric varchar(32),
    DROP CONSTRAINT ck_adapter_repositories_gate,
    ADD CONSTRAINT ck_adapter_repositories_gate
        CHECK (gate IN ('eval_loss_no_worse', 'max_eval_loss', 'task_metric_no_worse', 'none')),
    ADD CONSTRAINT ck_adapter_repositories_gate_task_metric
        CHECK ((gate = 'task_metric_no_worse') = (gate_task_metric IS NOT NULL)
            AND (gate_task_metric IS NULL OR gate_task_metric IN ('exact_match', 'contains', 'extracted_match', 'rouge_l')));
