package dev.finetune.api.job;

import java.util.List;
import java.util.UUID;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.JobStatus;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Keyset pages of a tenant's jobs, newest first, optionally filtered by status and segment. */
@Component
public class JobQueries {

    private final EntityManager em;

    JobQueries(EntityManager em) {
        this.em = em;
    }

    @Transactional(readOnly = true)
    public List<FineTuningJob> page(UUID tenant, JobStatus status, UUID segment, FineTuningJob after, int limit) {
        StringBuilder jpql = new StringBuilder("select j from FineTuningJob j where j.tenantId = :tenant");
        if (status != null) {
            jpql.append(" and j.status = :status");
        }
        if (segment != null) {
            jpql.append(" and j.segmentId = :segment");
        }
        if (after != null) {
            jpql.append(" and (j.createdAt < :at or (j.createdAt = :at and j.id < :id))");
        }
        jpql.append(" order by j.createdAt desc, j.id desc");
        TypedQuery<FineTuningJob> query = em.createQuery(jpql.toString(), FineTuningJob.class)
                .setParameter("tenant", tenant)
                .setMaxResults(limit);
        if (status != null) {
            query.setParameter("status", status);
        }
        if (segment != null) {
            query.setParameter("segment", segment);
        }
        if (after != null) {
            query.setParameter("at", after.createdAt()).setParameter("id", after.id().value());
        }
        return query.getResultList();
    }
}
