package dev.finetune.core.progress;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** Primary key of per-step rows: (job_id, step). */
@Embeddable
public record JobStep(@Column(name = "job_id") UUID jobId, @Column(name = "step") int step) {

    public JobStep {
        if (jobId == null) {
            throw new IllegalArgumentException("job_id must not be null");
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0");
        }
    }
}
