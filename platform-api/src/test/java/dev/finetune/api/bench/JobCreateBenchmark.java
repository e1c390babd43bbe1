package dev.finetune.api.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.finetune.api.support.Api;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Job-create throughput and latency over loopback HTTP against the real (embedded) PostgreSQL:
 * a closed loop with N clients (the most the machine sustains), then an open loop at a fixed
 * arrival rate whose latency counts from each request's scheduled start (no coordinated omission).
 * Every request carries its own Idempotency-Key, as a CI pipeline's would. Prints a table; it
 * asserts only that every request succeeded. Opt in:
 * {@code ./mvnw -B -o -pl platform-api test -Dtest=JobCreateBenchmark -Dgroups=bench -Dsurefire.excludedGroups=}
 * (system properties {@code bench.seconds}, {@code bench.clients}, {@code bench.rate}).
 */
@Tag("bench")
class JobCreateBenchmark extends ApiTestBase {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 16);
    private static final int RATE = Integer.getInteger("bench.rate", 200);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(CLIENTS * 2)).build();
    private final AtomicInteger sequence = new AtomicInteger();

    @Test
    void measuresJobCreateThroughputAndLatency() throws Exception {
        // given
        TestTenant tenant = newTenant("bench");
        String dataset = uploadDataset(tenant, "llamafactory_identity.json");
        String body = Api.JSON.writeValueAsString(jobRequest(dataset));
        run(tenant, body, 2, false, 0); // warm-up: JIT, connection pools

        // when
        Result closed = run(tenant, body, SECONDS, false, 0);
        Result open = run(tenant, body, SECONDS, true, RATE);

        // then
        System.out.println();
        System.out.println("job create, loopback HTTP, embedded PostgreSQL 17, " + Runtime.getRuntime().availableProcessors() + " CPUs");
        System.out.println("| load | requests | errors | throughput req/s | p50 ms | p90 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        System.out.println(closed.row("closed loop, " + CLIENTS + " clients, " + SECONDS + " s"));
        System.out.println(open.row("open loop at " + RATE + " req/s, " + SECONDS + " s"));
        assertThat(closed.errors + open.errors).isZero();
    }

    private Result run(TestTenant tenant, String body, int seconds, boolean openLoop, int rate) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        if (openLoop) {
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            long periodNanos = 1_000_000_000L / rate;
            List<java.util.concurrent.CompletableFuture<?>> inFlight = Collections.synchronizedList(new ArrayList<>());
            ticker.scheduleAtFixedRate(() -> {
                long scheduled = System.nanoTime();
                if (scheduled < end) {
                    inFlight.add(http.sendAsync(request(tenant, body), HttpResponse.BodyHandlers.discarding())
                            .whenComplete((r, e) -> record(scheduled, r, e, latencies, errors)));
                }
            }, 0, periodNanos, TimeUnit.NANOSECONDS);
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(end - start));
            ticker.shutdown();
            for (var f : new ArrayList<>(inFlight)) {
                f.exceptionally(e -> null).get(30, TimeUnit.SECONDS);
            }
        } else {
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            record(t0, http.send(request(tenant, body), HttpResponse.BodyHandlers.discarding()), null,
                                    latencies, errors);
                        } catch (Exception e) {
                            record(t0, null, e, latencies, errors);
                        }
                    }
                    return null;
                });
            }
            clients.shutdown();
            clients.awaitTermination(seconds + 30L, TimeUnit.SECONDS);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(new ArrayList<>(latencies), errors.get(), elapsed);
    }

    private HttpRequest request(TestTenant tenant, String body) {
        return HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/fine-tuning/jobs"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tenant.adminKey())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "bench-" + sequence.incrementAndGet())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void record(long startNanos, HttpResponse<?> r, Throwable e, ConcurrentLinkedQueue<Long> latencies,
            AtomicInteger errors) {
        latencies.add(System.nanoTime() - startNanos);
        if (e != null || r == null || r.statusCode() != 201) {
            errors.incrementAndGet();
        }
    }

    private record Result(List<Long> latencies, int errors, double seconds) {
        String row(String load) {
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %.1f |", load, sorted.size(),
                    errors, sorted.size() / seconds, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99),
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e6);
        }

        private static double pct(List<Long> sorted, double p) {
            if (sorted.isEmpty()) {
                return 0;
            }
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
        }
    }
}
