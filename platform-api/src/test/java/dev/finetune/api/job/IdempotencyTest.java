package dev.finetune.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class IdempotencyTest extends ApiTestBase {

    @Autowired
    JdbcClient jdbc;

    TestTenant tenant;
    String dataset;

    @BeforeEach
    void tenantWithDataset() {
        tenant = newTenant("idempotency");
        dataset = uploadDataset(tenant, "llamafactory_identity.json");
    }

    @Test
    void returnsTheSameJobWith200WhenACallIsRetried() {
        // given
        Map<String, String> key = Map.of("Idempotency-Key", "ci-run-1");
        Response first = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset), key);

        // when
        Response retry = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset), key);

        // then
        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.text("id")).isEqualTo(first.text("id"));
    }

    @Test
    void refusesTheSameKeyWithADifferentBody() {
        // given
        Map<String, String> key = Map.of("Idempotency-Key", "ci-run-2");
        Response first = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset), key);
        Map<String, Object> other = new HashMap<>(jobRequest(dataset));
        other.put("suffix", "different");

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), other, key);

        // then
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/idempotency-mismatch");
        assertThat(r.text("jobId")).isEqualTo(first.text("id"));
    }

    @Test
    void makesExactlyOneJobFromFiftyConcurrentCreatesWithOneKey() throws Exception {
        // given
        Map<String, String> key = Map.of("Idempotency-Key", "burst-" + System.nanoTime());
        Map<String, Object> body = jobRequest(dataset);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> calls = new ArrayList<>();

        // when
        for (int i = 0; i < 50; i++) {
            calls.add(pool.submit(() -> {
                start.await();
                return api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body, key);
            }));
        }
        start.countDown();
        List<Response> responses = new ArrayList<>();
        for (Future<Response> call : calls) {
            responses.add(call.get());
        }
        pool.shutdown();

        // then
        assertThat(responses).extracting(Response::status).containsOnly(200, 201).filteredOn(s -> s == 201).hasSize(1);
        assertThat(responses).extracting(r -> r.text("id")).containsOnly(responses.get(0).text("id"));
        long jobs = jdbc.sql("SELECT count(*) FROM fine_tuning_jobs WHERE tenant_id = :t")
                .param("t", java.util.UUID.fromString(tenant.id())).query(Long.class).single();
        assertThat(jobs).isEqualTo(1);
    }
}
