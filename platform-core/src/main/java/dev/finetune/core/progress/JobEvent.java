package dev.finetune.core.progress;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.finetune.core.common.Checks;
import dev.finetune.core.job.JobId;
import dev.finetune.core.json.JsonMapConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One line of a job's event log; ids grow monotonically and serve as a polling cursor. */
@Entity
@Table(name = "job_events")
public class JobEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "job_id", nullable = false, updatable = false)
    private UUID jobId;

    @Convert(converter = EventLevel.JpaConverter.class)
    @Column(nullable = false, updatable = false)
    private EventLevel level;

    @Column(nullable = false, updatable = false)
    private String message;

    @Convert(converter = JsonMapConverter.class)
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(updatable = false, columnDefinition = "jsonb")
    private Map<String, Object> data;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected JobEvent() {
    }

    public JobEvent(JobId job, EventLevel level, String message, Map<String, Object> data, Instant at) {
        this.jobId = Checks.notNull(job, "job_id").value();
        this.level = Checks.notNull(level, "level");
        this.message = Checks.notBlank(message, "message");
        this.data = data;
        this.createdAt = Checks.notNull(at, "created_at");
    }

    public static JobEvent info(JobId job, String message) {
        return new JobEvent(job, EventLevel.INFO, message, null, Instant.now());
    }

    public Long id() { return id; }
    public JobId jobId() { return new JobId(jobId); }
    public EventLevel level() { return level; }
    public String message() { return message; }
    public Map<String, Object> data() { return data; }
    public Instant createdAt() { return createdAt; }
}
