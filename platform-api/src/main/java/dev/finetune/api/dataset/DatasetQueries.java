package dev.finetune.api.dataset;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.job.JobStatus;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

/** The API's reads of datasets beyond core's repository: keyset pages and "which jobs use it". */
interface DatasetQueries extends Repository<Dataset, UUID> {

    @Query("select d from Dataset d where d.tenantId = :tenant order by d.createdAt desc, d.id desc")
    List<Dataset> firstPage(@Param("tenant") UUID tenant, Limit limit);

    @Query("""
            select d from Dataset d where d.tenantId = :tenant
              and (d.createdAt < :at or (d.createdAt = :at and d.id < :id))
            order by d.createdAt desc, d.id desc""")
    List<Dataset> pageAfter(@Param("tenant") UUID tenant, @Param("at") Instant at, @Param("id") UUID id, Limit limit);

    @Query("""
            select count(j) from FineTuningJob j where j.tenantId = :tenant
              and (j.trainingDatasetId = :dataset or j.validationDatasetId = :dataset)
              and j.status in :statuses""")
    long countJobsUsing(@Param("tenant") UUID tenant, @Param("dataset") UUID dataset,
            @Param("statuses") Collection<JobStatus> statuses);
}
