package dev.finetune.core.progress;

import java.time.Instant;

import dev.finetune.core.common.Checks;
import dev.finetune.core.job.JobId;
import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A checkpoint a job wrote to the artifact store at a step; {@code objectKey} is its prefix or file. */
@Entity
@Table(name = "job_checkpoints")
public class JobCheckpoint {

    @EmbeddedId
    private JobStep id;

    @Column(name = "object_key", nullable = false, updatable = false, length = 1024)
    private String objectKey;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected JobCheckpoint() {
    }

    public JobCheckpoint(JobId job, int step, String objectKey, Instant at) {
        this.id = new JobStep(job.value(), step);
        this.objectKey = Checks.notBlank(objectKey, "object_key");
        this.createdAt = Checks.notNull(at, "created_at");
    }

    public JobId jobId() { return new JobId(id.jobId()); }
    public int step() { return id.step(); }
    public String objectKey() { return objectKey; }
    public Instant createdAt() { return createdAt; }
}
