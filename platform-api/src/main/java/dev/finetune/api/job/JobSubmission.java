package dev.finetune.api.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.hyperparameters.InvalidHyperparameterException;
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.job.NewJob;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.settings.InvalidSettingException;
import dev.finetune.settings.ModelShape;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns a create request into a stored job. References are resolved within the caller's tenant
 * (anything else is "not found", naming the field). Files were validated at upload, so the job
 * passes validating_files at once and is stored queued (its two status lines written by
 * {@code JobStatusLog} from the entity's events) in one
 * transaction. With an {@code Idempotency-Key} the unique constraint (tenant, key) decides which
 * of several concurrent calls creates the job; the others re-read it and answer with the same job
 * when their request resolves to the same job, else with 422 idempotency-mismatch.
 */
@Component
public class JobSubmission {

    private static final String ACTIVE_JOBS = JobStatus.sql("""
            SELECT count(*) FROM fine_tuning_jobs
             WHERE tenant_id = :tenant AND status IN ({VALIDATING_FILES}, {QUEUED}, {RUNNING}, {CANCELLING})""");

    private static final String TRAINED_IN_WINDOW = """
            SELECT coalesce(sum(trained_tokens), 0) FROM fine_tuning_jobs
             WHERE tenant_id = :tenant AND created_at > now() - :windowMs * interval '1 millisecond'""";

    private final JdbcClient jdbc;
    private final JobProperties properties;
    private final FineTuningJobRepository jobs;
    private final BaseModelRepository models;
    private final DatasetRepository datasets;
    private final SegmentRepository segments;
    private final JobCheckpointRepository checkpoints;
    private final TransactionTemplate tx;

    JobSubmission(FineTuningJobRepository jobs, BaseModelRepository models, DatasetRepository datasets,
            SegmentRepository segments, JobCheckpointRepository checkpoints,
            TransactionTemplate tx, JdbcClient jdbc, JobProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.jobs = jobs;
        this.models = models;
        this.datasets = datasets;
        this.segments = segments;
        this.checkpoints = checkpoints;
        this.tx = tx;
    }

    /**
     * The job, whether this call created it (false: an idempotent retry), and the names of its base
     * model and segment (a retry resolved to the same ones, so they hold for it too).
     */
    public record Outcome(FineTuningJob job, boolean created, String modelName, String segmentName) {
    }

    private record Resolved(NewJob job, String modelName, String segmentName) {
    }

    public Outcome submit(Caller caller, CreateJobRequest request, String idempotencyKey) {
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey.trim();
        if (key != null && key.length() > 255) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "Idempotency-Key must be at most 255 characters")
                    .with("param", "Idempotency-Key");
        }
        Resolved resolved = resolve(caller, request, key);
        NewJob wanted = resolved.job();
        // no look-up first: new keys are the common case, and the unique constraint is the only
        // check that holds under concurrency anyway
        try {
            return new Outcome(tx.execute(status -> store(wanted)), true, resolved.modelName(), resolved.segmentName());
        } catch (DataIntegrityViolationException | PlatformProblem e) {
            // a retried call whose job exists is answered with that job, also when the tenant is at its quota now
            if (key == null || (e instanceof PlatformProblem p && p.kind() != ProblemKind.QUOTA_EXCEEDED)) {
                throw e;
            }
            FineTuningJob winner = jobs.findByIdempotencyKey(caller.tenant(), key).orElseThrow(() -> e);
            return new Outcome(sameOrMismatch(winner, wanted, request.seed() != null, key), false,
                    resolved.modelName(), resolved.segmentName());
        }
    }

    /**
     * Refuses a job beyond the tenant's quota of unfinished jobs; the new job is already inserted
     * in this transaction (and counted, so one is taken off). The tenant's row is locked for the rest of the
     * transaction ({@code FOR NO KEY UPDATE}: it still lets the foreign keys of other inserts share
     * the row) and only then are its unfinished jobs counted, so of two concurrent submissions the
     * second counts the first's job once the first commits, and they cannot both take the last
     * place.
     */
    private void requireRoomInQuota(NewJob wanted) {
        UUID tenant = wanted.tenant().value();
        jdbc.sql("SELECT id FROM tenants WHERE id = :tenant FOR NO KEY UPDATE").param("tenant", tenant)
                .query(UUID.class).single();
        long active = jdbc.sql(ACTIVE_JOBS).param("tenant", tenant).query(Long.class).single() - 1; // less this one
        int limit = properties.maxActivePerTenant();
        if (active >= limit) {
            throw new PlatformProblem(ProblemKind.QUOTA_EXCEEDED, "this tenant already has " + active
                    + " unfinished jobs, its limit (finetune.jobs.max-active-per-tenant); cancel one or wait for one to end")
                    .with("limit", limit);
        }
        long budget = properties.trainedTokenBudget();
        if (budget > 0) {
            long trained = jdbc.sql(TRAINED_IN_WINDOW).param("tenant", tenant)
                    .param("windowMs", properties.budgetWindow().toMillis()).query(Long.class).single();
            if (trained >= budget) {
                throw new PlatformProblem(ProblemKind.QUOTA_EXCEEDED, "this tenant's jobs have trained " + trained
                        + " tokens in the last " + properties.budgetWindow().toDays() + " days, its budget "
                        + "(finetune.jobs.trained-token-budget); a new job can start once older ones leave the window")
                        .with("limit", budget).with("used", trained);
            }
        }
    }

    /**
     * Inserts the job and its status lines first and takes the tenant's lock last: every other
     * submit of the tenant waits on that lock, so it is held only for the quota's count and the
     * commit, not for building and inserting the rows (which ran under it before, and capped a
     * tenant's submits at about one per lock-held time, ~5 ms, whatever the clients). A duplicate
     * Idempotency-Key fails at the insert, before the quota is looked at.
     */
    private FineTuningJob store(NewJob wanted) {
        Instant now = Instant.now();
        FineTuningJob job = FineTuningJob.submit(wanted, now);
        job.transitionTo(JobStatus.QUEUED, now);
        // its status lines ("Job created", "Job queued") come from the job's events (JobStatusLog)
        jobs.saveAndFlush(job);
        requireRoomInQuota(wanted);
        return job;
    }

    private Resolved resolve(Caller caller, CreateJobRequest r, String key) {
        // the references are looked up together, so a request with several wrong ones hears of all at once
        List<PlatformProblem> problems = new ArrayList<>();
        BaseModel model = attempt(problems, () -> findModel(caller, r.model()));
        DatasetId training = attempt(problems, () -> findDataset(caller, r.trainingFile(), "training_file"));
        DatasetId validation = r.validationFile() == null || r.validationFile().isBlank() ? null
                : attempt(problems, () -> findDataset(caller, r.validationFile(), "validation_file"));
        if (training != null && training.equals(validation)) {
            problems.add(new PlatformProblem(ProblemKind.VALIDATION, "validation_file must differ from training_file")
                    .with("param", "validation_file"));
        }
        Segment segment = attempt(problems, () -> findSegment(caller, r.segment()));
        if (!problems.isEmpty()) {
            throw allOf(problems);
        }
        FineTuningMethod method = r.method() == null ? FineTuningMethod.DEFAULT : r.method();
        CheckpointRef from = r.fromCheckpoint() == null || r.fromCheckpoint().isBlank() ? null
                : findCheckpoint(caller, r.fromCheckpoint(), model, method);
        Hyperparameters hp = r.hyperparameters() == null ? Hyperparameters.defaults() : r.hyperparameters();
        fitsModel(model, method, hp);
        long seed = r.seed() != null ? r.seed() : ThreadLocalRandom.current().nextInt(0, Integer.MAX_VALUE);
        Map<String, Object> metadata = r.metadata() == null ? Map.of() : Map.copyOf(r.metadata());
        return new Resolved(new NewJob(caller.tenant(), segment.id(), model.id(), training, validation, method, hp,
                r.suffix(), metadata, seed, key, from), model.name(), segment.name().value());
    }

    /**
     * The method's settings against the base model's widths (its config.json as summarised at
     * registration), so a rank, target module or reduction factor the model cannot take is a 400
     * now rather than a failed job later. A model registered without the widths is checked by the
     * worker instead, before any download.
     */
    private static void fitsModel(BaseModel model, FineTuningMethod method, Hyperparameters hp) {
        try {
            ModelShape.fromConfig(model.configSummary()).ifPresent(shape -> shape.check(hp.methodSettings(method)));
        } catch (InvalidSettingException e) {
            throw new InvalidHyperparameterException(e.field(), e.rule() + " (base model '" + model.name() + "')");
        }
    }

    private BaseModel findModel(Caller caller, String model) {
        Optional<UUID> id = uuid(model);
        Optional<BaseModel> found = id.isPresent() ? models.findVisible(caller.tenant(), new BaseModelId(id.get()))
                : models.findVisible(caller.tenant(), model);
        return found.orElseThrow(() -> notFound("base model", model, "model"));
    }

    private DatasetId findDataset(Caller caller, String id, String param) {
        return uuid(id).map(DatasetId::new).flatMap(d -> datasets.find(caller.tenant(), d))
                .orElseThrow(() -> notFound("dataset", id, param)).id();
    }

    private Segment findSegment(Caller caller, String name) {
        String wanted = name == null || name.isBlank() ? SegmentName.DEFAULT.value() : name;
        if (!SegmentName.PATTERN.matcher(wanted).matches()) {
            throw notFound("segment", wanted, "segment");
        }
        return segments.find(caller.tenant(), new SegmentName(wanted)).orElseThrow(() -> notFound("segment", wanted, "segment"));
    }

    private CheckpointRef findCheckpoint(Caller caller, String id, BaseModel model, FineTuningMethod method) {
        Optional<CheckpointRef> ref = CheckpointRef.parse(id);
        FineTuningJob source = ref.flatMap(r -> jobs.find(caller.tenant(), r.job()))
                .orElseThrow(() -> notFound("checkpoint", id, "from_checkpoint"));
        int step = ref.get().step();
        boolean exists = checkpoints.findByIdJobIdOrderByIdStepAsc(source.id().value()).stream()
                .anyMatch(c -> c.step() == step);
        if (!exists) {
            throw notFound("checkpoint", id, "from_checkpoint");
        }
        if (!source.baseModelId().equals(model.id()) || source.method() != method) {
            throw new PlatformProblem(ProblemKind.BASE_MODEL_MISMATCH, "checkpoint " + id + " was trained with "
                    + source.method().wireName() + " on base model " + source.baseModelId()
                    + "; the new job must use the same model and method").with("param", "from_checkpoint");
        }
        return new CheckpointRef(source.id(), step);
    }

    private static FineTuningJob sameOrMismatch(FineTuningJob earlier, NewJob wanted, boolean seedGiven, String key) {
        boolean same = earlier.baseModelId().equals(wanted.baseModel())
                && earlier.trainingDatasetId().equals(wanted.trainingDataset())
                && Objects.equals(earlier.validationDatasetId().orElse(null), wanted.validationDataset())
                && earlier.segmentId().equals(wanted.segment())
                && earlier.method() == wanted.method()
                && earlier.hyperparameters().equals(wanted.hyperparameters())
                && Objects.equals(earlier.suffix().orElse(null), wanted.suffix())
                && earlier.metadata().equals(wanted.metadata())
                && (!seedGiven || earlier.seed() == wanted.seed())
                && Objects.equals(earlier.fromCheckpoint().orElse(null), wanted.fromCheckpoint());
        if (!same) {
            throw new PlatformProblem(ProblemKind.IDEMPOTENCY_MISMATCH, "Idempotency-Key '" + key
                    + "' was used for job " + earlier.id() + " with a different request; use a new key for a new job")
                    .with("jobId", earlier.id().toString()).with("param", "Idempotency-Key");
        }
        return earlier;
    }

    private static <T> T attempt(List<PlatformProblem> problems, Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (PlatformProblem p) {
            problems.add(p);
            return null;
        }
    }

    /** The first problem as it was (its type, param and detail); with more than one, {@code errors} lists each. */
    private static PlatformProblem allOf(List<PlatformProblem> problems) {
        PlatformProblem first = problems.get(0);
        if (problems.size() > 1) {
            first.with("errors", problems.stream().map(p -> Map.<String, Object>of(
                    "param", String.valueOf(p.properties().get("param")), "message", p.detail())).toList());
        }
        return first;
    }

    private static PlatformProblem notFound(String what, String value, String param) {
        return new PlatformProblem(ProblemKind.NOT_FOUND, what + " '" + value + "' does not exist")
                .with("resource", what).with("param", param);
    }

    private static Optional<UUID> uuid(String text) {
        try {
            return Optional.of(UUID.fromString(text.trim()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
