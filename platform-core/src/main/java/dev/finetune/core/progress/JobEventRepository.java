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

    List<JobEvent> findByJobIdOrderByIdDesc(UUID jobId, Limit limit);

    List<JobEvent> findByJobIdAndIdLessThanOrderByIdDesc(UUID jobId, long beforeId, Limit limit);

    /** Newest first, older than the event {@code beforeId} (null: from the newest), as OpenAI's event lists page. */
    default List<JobEvent> newestFirst(JobId job, Long beforeId, int limit) {
        return beforeId == null ? findByJobIdOrderByIdDesc(job.value(), Limit.of(limit))
                : findByJobIdAndIdLessThanOrderByIdDesc(job.value(), beforeId, Limit.of(limit));
    }
}
