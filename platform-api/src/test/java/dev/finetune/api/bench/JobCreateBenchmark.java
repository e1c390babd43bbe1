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
import java.util.function.Supplier;

import dev.finetune.api.support.Api;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Job-create throughput and latency over loopback HTTP against the real (embedded) PostgreSQL:
 * a closed loop with N clients (the most the machine sustains), then an open loop at a fixed
 * arrival rate whose latency counts from each request's scheduled start (no coordinated omission).
 * Every request carries its own Idempotency-Key, as a CI pipeline's would. Each load is run twice
 * in a row, once creating jobs and once reading a trivial authenticated endpoint
 * ({@code GET /api/v1/segments}: the same HTTP, security filter, key look-up and JSON, one small
 * query) with the same clients or rate, and the table gives create's percentiles as a ratio of
 * the trivial one's: the machine this runs on is shared and noisy, so compare ratios within one
 * run, not milliseconds across runs. Prints a table; it asserts only that every request succeeded.
 * Opt in:
 * {@code ./mvnw -B -o -pl platform-api -am test -Dtest=JobCreateBenchmark -Dgroups=bench -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}
 * (system properties {@code bench.seconds}, {@code bench.clients}, {@code bench.rate}). The
 * tenant's quota of unfinished jobs is raised for it (its own application context): every job it
 * creates stays queued.
 */
@Tag("bench")
@TestPropertySource(properties = "finetune.jobs.max-active-per-tenant=100000")
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
        Endpoint create = new Endpoint("POST /api/v1/fine-tuning/jobs", () -> createRequest(tenant, body), 201);
        Endpoint trivial = new Endpoint("GET /api/v1/segments", () -> segmentsRequest(tenant), 200);
        run(create, 2, false, 0); // warm-up: JIT, connection pools
        run(trivial, 2, false, 0);

        // when
        Result closedCreate = run(create, SECONDS, false, 0);
        Result closedTrivial = run(trivial, SECONDS, false, 0);
        Result openCreate = run(create, SECONDS, true, RATE);
        Result openTrivial = run(trivial, SECONDS, true, RATE);

        // then
        System.out.println();
        System.out.println("job create vs. a trivial authenticated GET, loopback HTTP, embedded PostgreSQL 17, "
                + Runtime.getRuntime().availableProcessors() + " CPUs");
        System.out.println("| load | endpoint | requests | errors | throughput req/s | p50 ms | p90 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        String closed = "closed loop, " + CLIENTS + " clients, " + SECONDS + " s";
        String open = "open loop at " + RATE + " req/s, " + SECONDS + " s";
        System.out.println(closedCreate.row(closed, create.name));
        System.out.println(closedTrivial.row(closed, trivial.name));
        System.out.println(openCreate.row(open, create.name));
        System.out.println(openTrivial.row(open, trivial.name));
        System.out.println();
        System.out.println("| load | create/trivial p50 | p99 | max |");
        System.out.println("|---|---|---|---|");
        System.out.println(closedCreate.ratio(closed, closedTrivial));
        System.out.println(openCreate.ratio(open, openTrivial));
        assertThat(closedCreate.errors + openCreate.errors + closedTrivial.errors + openTrivial.errors).isZero();
    }

    private record Endpoint(String name, Supplier<HttpRequest> request, int expectedStatus) {
    }

    private Result run(Endpoint endpoint, int seconds, boolean openLoop, int rate) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        int expected = endpoint.expectedStatus();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        if (openLoop) {
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            long periodNanos = 1_000_000_000L / rate;
            List<java.util.concurrent.CompletableFuture<?>> inFlight = Collections.synchronizedList(new ArrayList<>());
            ticker.scheduleAtFixedRate(() -> {
                long scheduled = System.nanoTime();
                if (scheduled < end) {
                    inFlight.add(http.sendAsync(endpoint.request().get(), HttpResponse.BodyHandlers.discarding())
                            .whenComplete((r, e) -> record(scheduled, r, e, expected, latencies, errors)));
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
                            record(t0, http.send(endpoint.request().get(), HttpResponse.BodyHandlers.discarding()), null,
                                    expected, latencies, errors);
                        } catch (Exception e) {
                            record(t0, null, e, expected, latencies, errors);
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

    private HttpRequest createRequest(TestTenant tenant, String body) {
        return HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/fine-tuning/jobs"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tenant.adminKey())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "bench-" + sequence.incrementAndGet())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest segmentsRequest(TestTenant tenant) {
        return HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/segments"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tenant.adminKey())
                .GET().build();
    }

    private static void record(long startNanos, HttpResponse<?> r, Throwable e, int expected,
            ConcurrentLinkedQueue<Long> latencies, AtomicInteger errors) {
        latencies.add(System.nanoTime() - startNanos);
        if (e != null || r == null || r.statusCode() != expected) {
            errors.incrementAndGet();
        }
    }

    private record Result(List<Long> latencies, int errors, double seconds) {
        String row(String load, String endpoint) {
            List<Long> sorted = sorted();
            return String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %.1f |", load, endpoint,
                    sorted.size(), errors, sorted.size() / seconds, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99),
                    pct(sorted, 100));
        }

        /** This result's p50, p99 and max over the other's (the trivial endpoint's, same load). */
        String ratio(String load, Result base) {
            List<Long> mine = sorted();
            List<Long> theirs = base.sorted();
            return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |", load, pct(mine, 50) / pct(theirs, 50),
                    pct(mine, 99) / pct(theirs, 99), pct(mine, 100) / pct(theirs, 100));
        }

        private List<Long> sorted() {
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return sorted;
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
