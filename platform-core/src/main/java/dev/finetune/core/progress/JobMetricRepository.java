package dev.finetune.core.progress;

import java.util.List;
import java.util.UUID;

import dev.finetune.core.job.JobId;
import org.springframework.data.repository.Repository;

public interface JobMetricRepository extends Repository<JobMetric, JobStep> {

    JobMetric save(JobMetric metric);

    List<JobMetric> findByIdJobIdOrderByIdStepAsc(UUID jobId);

    List<JobMetric> findByIdJobIdAndIdStepGreaterThanOrderByIdStepAsc(UUID jobId, int step);

    default List<JobMetric> of(JobId job) {
        return findByIdJobIdOrderByIdStepAsc(job.value());
    }

    /** The metrics of steps after {@code step}: what a client that polls has not seen yet. */
    default List<JobMetric> after(JobId job, int step) {
        return findByIdJobIdAndIdStepGreaterThanOrderByIdStepAsc(job.value(), step);
    }
}
