package dev.finetune.api.job;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.finetune.api.job.ProgressViews.EventView;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.progress.JobEvent;
import dev.finetune.core.progress.JobEventRepository;
import dev.finetune.core.security.Caller;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live event streams. Progress reaches the API only through PostgreSQL, so each open stream polls
 * the job's events every {@link #POLL} on a small shared scheduler (no request thread is held),
 * sends new ones with their id (so a reconnecting client resumes with {@code Last-Event-ID}), and
 * completes once the job is terminal and every event written before that has been sent. The
 * status is read before the events: whatever the worker wrote up to the terminal status is then
 * guaranteed to be in the same read.
 */
@Component
class JobEventStreams {

    private static final Logger log = LoggerFactory.getLogger(JobEventStreams.class);
    static final Duration POLL = Duration.ofMillis(500);
    private static final Duration MAX_OPEN = Duration.ofMinutes(30);
    private static final int BATCH = 500;

    private final JobEventRepository events;
    private final JdbcClient jdbc;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "job-event-streams");
        t.setDaemon(true);
        return t;
    });

    JobEventStreams(JobEventRepository events, JdbcClient jdbc) {
        this.events = events;
        this.jdbc = jdbc;
    }

    SseEmitter open(Caller caller, JobId job, long afterId) {
        SseEmitter emitter = new SseEmitter(MAX_OPEN.toMillis());
        AtomicLong last = new AtomicLong(afterId);
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        Runnable stop = () -> {
            ScheduledFuture<?> f = task.get();
            if (f != null) {
                f.cancel(false);
            }
        };
        emitter.onCompletion(stop);
        emitter.onTimeout(() -> {
            stop.run();
            emitter.complete();
        });
        emitter.onError(e -> stop.run());
        task.set(scheduler.scheduleWithFixedDelay(() -> tick(caller, job, emitter, last, stop), 0,
                POLL.toMillis(), TimeUnit.MILLISECONDS));
        return emitter;
    }

    private void tick(Caller caller, JobId job, SseEmitter emitter, AtomicLong last, Runnable stop) {
        MDC.put("tenantId", caller.tenant().toString());
        MDC.put("jobId", job.toString());
        try {
            JobStatus status = JobStatus.fromWire(jdbc.sql("SELECT status FROM fine_tuning_jobs WHERE id = :id")
                    .param("id", job.value()).query(String.class).single());
            List<JobEvent> batch = events.after(job, last.get(), BATCH);
            for (JobEvent e : batch) {
                emitter.send(SseEmitter.event().id(String.valueOf(e.id())).name("event")
                        .data(EventView.of(e), MediaType.APPLICATION_JSON));
                last.set(e.id());
            }
            if (status.isTerminal() && batch.size() < BATCH) {
                emitter.send(SseEmitter.event().name("end").data("{\"status\":\"" + status.wireName() + "\"}",
                        MediaType.APPLICATION_JSON));
                stop.run();
                emitter.complete();
            }
        } catch (IOException | IllegalStateException clientGone) {
            // the client closed the stream (or it already completed): stop polling for it
            stop.run();
        } catch (RuntimeException e) {
            log.warn("Event stream of job {} failed; closing it", job, e);
            stop.run();
            emitter.completeWithError(e);
        } finally {
            MDC.remove("tenantId");
            MDC.remove("jobId");
        }
    }

    @PreDestroy
    void shutdown() {
        scheduler.shutdownNow();
    }
}
