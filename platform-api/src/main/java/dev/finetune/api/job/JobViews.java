package dev.finetune.api.job;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.TenantId;
import org.springframework.stereotype.Component;

/** Renders jobs with their base model's and segment's names, looked up once per request. */
@Component
public class JobViews {

    private final BaseModelRepository models;
    private final SegmentRepository segments;

    JobViews(BaseModelRepository models, SegmentRepository segments) {
        this.models = models;
        this.segments = segments;
    }

    /** A renderer for one request: base models and segments are read once, however many jobs follow. */
    public java.util.function.Function<FineTuningJob, JobView> forCaller(Caller caller) {
        Map<UUID, String> modelNames = new HashMap<>();
        for (BaseModel m : models.listVisibleTo(caller.tenant())) {
            modelNames.put(m.id().value(), m.name());
        }
        Map<UUID, String> segmentNames = new HashMap<>();
        for (Segment s : segments.list(caller.tenant())) {
            segmentNames.put(s.id().value(), s.name().value());
        }
        return job -> JobView.of(job, modelNames.getOrDefault(job.baseModelId().value(), job.baseModelId().toString()),
                segmentNames.get(job.segmentId().value()));
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
        return JobView.of(job, model, segment);
    }
}
