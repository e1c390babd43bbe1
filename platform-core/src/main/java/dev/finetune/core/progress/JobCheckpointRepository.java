package dev.finetune.core.progress;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.job.JobId;
import org.springframework.data.repository.Repository;

public interface JobCheckpointRepository extends Repository<JobCheckpoint, JobStep> {

    JobCheckpoint save(JobCheckpoint checkpoint);

    List<JobCheckpoint> findByIdJobIdOrderByIdStepAsc(UUID jobId);

    Optional<JobCheckpoint> findFirstByIdJobIdOrderByIdStepDesc(UUID jobId);

    /** The checkpoint a taken-over job resumes from. */
    default Optional<JobCheckpoint> latest(JobId job) {
        return findFirstByIdJobIdOrderByIdStepDesc(job.value());
    }
}
