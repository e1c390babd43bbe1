package dev.finetune.core.testing;

import java.time.Instant;
import java.util.Map;

import dev.finetune.core.dataset.Dataset;
import dev.finetune.settings.DatasetFormat;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.job.NewJob;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.Tenant;
import dev.finetune.core.tenant.TenantRepository;
import org.springframework.stereotype.Component;

/** Builds rows through the real repositories. */
@Component
public class TestData {

    public static final String SHA = "a".repeat(64);

    private final TenantRepository tenants;
    private final SegmentRepository segments;
    private final BaseModelRepository models;
    private final DatasetRepository datasets;
    private final FineTuningJobRepository jobs;

    public TestData(TenantRepository tenants, SegmentRepository segments, BaseModelRepository models,
            DatasetRepository datasets, FineTuningJobRepository jobs) {
        this.tenants = tenants;
        this.segments = segments;
        this.models = models;
        this.datasets = datasets;
        this.jobs = jobs;
    }

    /** A tenant with a default segment, a private base model and a valid dataset. */
    public Fixture tenant(String name) {
        Tenant tenant = tenants.save(Tenant.create(name + "-" + System.nanoTime()));
        Segment segment = segments.save(tenant.newSegment(SegmentName.DEFAULT));
        BaseModel model = models.save(BaseModel.ofTenant(tenant.id(), "tiny-" + System.nanoTime(),
                ObjectKeys.tenantBaseModelPrefix(tenant.id(), "tiny"), Map.of("layers", 2)));
        DatasetId datasetId = DatasetId.random();
        Dataset dataset = new Dataset(datasetId, tenant.id(), "train.jsonl", DatasetFormat.CHAT,
                ObjectKeys.dataset(tenant.id(), datasetId, "train.jsonl"), SHA, 123, Instant.now());
        dataset.markValid(10, 1000);
        dataset = datasets.save(dataset);
        return new Fixture(tenant, segment, model, dataset);
    }

    public FineTuningJob job(Fixture f, JobStatus status) {
        FineTuningJob job = FineTuningJob.submit(newJob(f, null), Instant.now());
        walkTo(job, status);
        return jobs.save(job);
    }

    public NewJob newJob(Fixture f, String idempotencyKey) {
        return new NewJob(f.tenant().id(), f.segment().id(), f.model().id(), f.dataset().id(), null,
                FineTuningMethod.LORA, Hyperparameters.defaults(), "unit", Map.of("team", "core"), 42L, idempotencyKey);
    }

    /** Moves a fresh job along the shortest legal path to {@code target}. */
    public static void walkTo(FineTuningJob job, JobStatus target) {
        Instant now = Instant.now();
        switch (target) {
            case VALIDATING_FILES -> { }
            case QUEUED -> job.transitionTo(JobStatus.QUEUED, now);
            case RUNNING -> { walkTo(job, JobStatus.QUEUED); job.transitionTo(JobStatus.RUNNING, now); }
            case CANCELLING -> { walkTo(job, JobStatus.RUNNING); job.transitionTo(JobStatus.CANCELLING, now); }
            case SUCCEEDED -> { walkTo(job, JobStatus.RUNNING); job.transitionTo(JobStatus.SUCCEEDED, now); }
            case FAILED -> job.transitionTo(JobStatus.FAILED, now);
            case CANCELLED -> job.transitionTo(JobStatus.CANCELLED, now);
        }
    }

    public record Fixture(Tenant tenant, Segment segment, BaseModel model, Dataset dataset) {
    }
}
