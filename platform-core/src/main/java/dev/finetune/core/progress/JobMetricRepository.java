package dev.finetune.core.progress;

import java.util.List;
import java.util.UUID;

import dev.finetune.core.job.JobId;
import org.springframework.data.repository.Repository;

public interface JobMetricRepository extends Repository<JobMetric, JobStep> {

    JobMetric save(JobMetric metric);

    List<JobMetric> findByIdJobIdOrderByIdStepAsc(UUID jobId);

    default List<JobMetric> of(JobId job) {
        return findByIdJobIdOrderByIdStepAsc(job.value());
    }
}
