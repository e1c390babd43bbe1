package dev.finetune.api.job;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.TenantId;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Renders jobs with their base model's and segment's names, looked up once per request, and their
 * progress (last step and loss, total steps, queue position) read in three queries for a whole page.
 */
@Component
public class JobViews {

    private static final String LAST_STEPS = """
            SELECT m.job_id, m.step, m.loss FROM job_metrics m
              JOIN (SELECT job_id, max(step) AS step FROM job_metrics
                     WHERE job_id IN (:ids) AND loss IS NOT NULL GROUP BY job_id) l
                ON l.job_id = m.job_id AND l.step = m.step""";
    private static final String TOTAL_STEPS = """
            SELECT job_id, max((data ->> 'total_steps')::int) AS total FROM job_events
             WHERE job_id IN (:ids) AND data ->> 'total_steps' IS NOT NULL GROUP BY job_id""";
    private static final String QUEUE_POSITIONS = JobStatus.sql("""
            SELECT j.id, 1 + (SELECT count(*) FROM fine_tuning_jobs q
                               WHERE q.tenant_id = j.tenant_id AND q.status = {QUEUED}
                                 AND (q.created_at, q.id) < (j.created_at, j.id)) AS position
              FROM fine_tuning_jobs j WHERE j.id IN (:ids) AND j.status = {QUEUED}""");

    private final BaseModelRepository models;
    private final SegmentRepository segments;
    private final JdbcClient jdbc;

    JobViews(BaseModelRepository models, SegmentRepository segments, JdbcClient jdbc) {
        this.models = models;
        this.segments = segments;
        this.jdbc = jdbc;
    }

    /** The progress of each of {@code jobs} that has any, by id. */
    Map<UUID, JobView.Progress> progress(List<FineTuningJob> jobs) {
        if (jobs.isEmpty()) {
            return Map.of();
        }
        List<UUID> ids = jobs.stream().map(j -> j.id().value()).toList();
        Map<UUID, Integer> step = new HashMap<>();
        Map<UUID, Double> loss = new HashMap<>();
        jdbc.sql(LAST_STEPS).param("ids", ids).query((rs, n) -> {
            UUID id = rs.getObject("job_id", UUID.class);
            step.put(id, rs.getInt("step"));
            loss.put(id, rs.getObject("loss", Double.class));
            return id;
        }).list();
        Map<UUID, Integer> total = new HashMap<>();
        jdbc.sql(TOTAL_STEPS).param("ids", ids).query((rs, n) -> total.put(rs.getObject("job_id", UUID.class),
                rs.getInt("total"))).list();
        Map<UUID, Integer> position = new HashMap<>();
        jdbc.sql(QUEUE_POSITIONS).param("ids", ids).query((rs, n) -> position.put(rs.getObject("id", UUID.class),
                rs.getInt("position"))).list();
        Map<UUID, JobView.Progress> out = new HashMap<>();
        for (UUID id : ids) {
            out.put(id, new JobView.Progress(step.get(id), total.get(id), loss.get(id), position.get(id)));
        }
        return out;
    }

    /** A renderer for one page of jobs: base models, segments and the page's progress are read once. */
    public java.util.function.Function<FineTuningJob, JobView> forCaller(Caller caller, List<FineTuningJob> page) {
        Map<UUID, JobView.Progress> progress = progress(page);
        Map<UUID, String> modelNames = new HashMap<>();
        for (BaseModel m : models.listVisibleTo(caller.tenant())) {
            modelNames.put(m.id().value(), m.name());
        }
        Map<UUID, String> segmentNames = new HashMap<>();
        for (Segment s : segments.list(caller.tenant())) {
            segmentNames.put(s.id().value(), s.name().value());
        }
        return job -> JobView.of(job, modelNames.getOrDefault(job.baseModelId().value(), job.baseModelId().toString()),
                segmentNames.get(job.segmentId().value()), progress.get(job.id().value()));
    }

    public JobView of(Caller caller, FineTuningJob job) {
        return asSeenBy(caller.tenant(), job);
    }

    /** The job as its own tenant sees it (the operator acting on another tenant's job gets the same view). */
    JobView asOwnerSeesIt(FineTuningJob job) {
        return asSeenBy(job.tenantId(), job);
    }

    private JobView asSeenBy(TenantId tenant, FineTuningJob job) {
        String model = models.findVisible(tenant, job.baseModelId()).map(BaseModel::name)
                .orElse(job.baseModelId().toString());
        String segment = segments.find(tenant, job.segmentId()).map(s -> s.name().value()).orElse(null);
        return JobView.of(job, model, segment, progress(List.of(job)).get(job.id().value()));
    }
}
