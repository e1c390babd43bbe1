package dev.finetune.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.finetune.api.support.ApiTestBase;
import dev.finetune.core.job.JobId;
import dev.finetune.core.progress.JobEvent;
import dev.finetune.core.progress.JobEventRepository;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class JobEventStreamTest extends ApiTestBase {

    @Autowired
    JobEventRepository events;

    @Test
    void streamsEveryEventWithItsIdAndEndsForATerminalJob() throws Exception {
        // given: a cancelled job (terminal) with three events
        TestTenant tenant = newTenant("sse");
        String dataset = uploadDataset(tenant, "llamafactory_identity.json");
        String id = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).text("id");
        api.postEmpty("/api/v1/fine-tuning/jobs/" + id + "/cancel", tenant.adminKey());

        // when
        List<String> lines = stream(tenant, id, null);

        // then
        List<String> ids = lines.stream().filter(l -> l.startsWith("id:")).toList();
        assertThat(ids).hasSize(3);
        assertThat(lines).anyMatch(l -> l.startsWith("data:") && l.contains("Job queued"));
        assertThat(lines).anyMatch(l -> l.equals("event:end"));

        // when: resuming after the second event
        String second = ids.get(1).substring(3).trim();
        List<String> resumed = stream(tenant, id, second);

        // then
        assertThat(resumed.stream().filter(l -> l.startsWith("id:"))).hasSize(1);
    }

    @Test
    void deliversEventsWrittenWhileTheClientListens() throws Exception {
        // given: a queued job
        TestTenant tenant = newTenant("sse-live");
        String dataset = uploadDataset(tenant, "llamafactory_identity.json");
        String id = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).text("id");

        // when: an event arrives while streaming, then the job ends
        CompletableFuture<List<String>> streamed = CompletableFuture.supplyAsync(() -> stream(tenant, id, null));
        Thread.sleep(1200);
        events.save(JobEvent.info(JobId.parse(id), "step 10: loss 2.5"));
        api.postEmpty("/api/v1/fine-tuning/jobs/" + id + "/cancel", tenant.adminKey());

        // then
        List<String> lines = streamed.get(20, TimeUnit.SECONDS);
        assertThat(lines).anyMatch(l -> l.contains("step 10: loss 2.5"));
        assertThat(lines).anyMatch(l -> l.equals("event:end"));
    }

    private List<String> stream(TestTenant tenant, String jobId, String lastEventId) {
        var request = api.request("/api/v1/fine-tuning/jobs/" + jobId + "/events", tenant.adminKey())
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(20));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<Stream<String>> r = HttpClient.newHttpClient().send(request.GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            try (Stream<String> body = r.body()) {
                return new ArrayList<>(body.map(String::strip).toList());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
