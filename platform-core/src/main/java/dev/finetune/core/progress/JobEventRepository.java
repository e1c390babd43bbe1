package dev.finetune.core.progress;

import java.util.List;
import java.util.UUID;

import dev.finetune.core.job.JobId;
import org.springframework.data.domain.Limit;
import org.springframework.data.repository.Repository;

/** Callers check the job's tenant first (through the job repository); events hang off the job. */
public interface JobEventRepository extends Repository<JobEvent, Long> {

    JobEvent save(JobEvent event);

    List<JobEvent> findByJobIdAndIdGreaterThanOrderByIdAsc(UUID jobId, long afterId, Limit limit);

    default List<JobEvent> after(JobId job, long afterId, int limit) {
        return findByJobIdAndIdGreaterThanOrderByIdAsc(job.value(), afterId, Limit.of(limit));
    }
}
