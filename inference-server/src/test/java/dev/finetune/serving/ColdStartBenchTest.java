package dev.finetune.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.finetune.core.apikey.ApiKeyId;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.security.Caller;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectInfo;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.serving.runtime.AdapterCache;
import dev.finetune.serving.runtime.Generations;
import dev.finetune.serving.web.CompletionRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

/**
 * Time to the first token of a version's first request (cold: resolved in the registry, its files
 * fetched from the real S3 server through {@link AdapterCache}, loaded onto the base, then the
 * first token) against the same version's next requests (warm: resolution cached, adapter loaded),
 * and the base alone, on the serving path a request takes after its body is parsed
 * ({@link Generations#start}, no HTTP). Each round registers a fresh version (new files in object
 * storage, so nothing is cached), then measures cold, warm (median of 3) and base in turn; the table
 * gives the median over rounds, and the median over rounds of each round's ratio to its warm time. The object-storage fetch alone
 * (list + get of the version's files) is timed in the same rounds.
 *
 * <p>Tag {@code bench}, excluded from the default build: {@code ./mvnw -o -pl inference-server -am verify
 * -Dgroups=bench -Dsurefire.excludedGroups= -Dtest=ColdStartBenchTest -Dsurefire.failIfNoSpecifiedTests=false
 * [-Dbench.rounds=7]}. The test checks only that the table came out.
 */
@Tag("bench")
@RealInfrastructure
@SpringBootTest(classes = {ServingApplication.class, TestData.class}, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"finetune.serving.resolution-ttl=60s", "finetune.serving.cache.pinned-aliases="})
class ColdStartBenchTest {

    static final String PROMPT = "Once upon a time, there was a little dog named";

    @Autowired
    Generations generations;
    @Autowired
    ApplicationContext context;
    @Autowired
    ArtifactStore store;

    @Test
    void printsTheColdStartTable(@TempDir Path dir) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 5);
        ServingWorld world = new ServingWorld(context);
        String baseName = "tinystories-656k-" + UUID.randomUUID().toString().substring(0, 8);
        world.base(baseName);
        Fixture acme = world.tenant("acme", "support");
        Caller caller = new Caller(acme.tenant().id(), new ApiKeyId(UUID.randomUUID()), "bench", EnumSet.of(ApiKeyScope.READ),
                false);

        // the base model loads once, outside the rounds; one version warms up the JIT and the engine
        firstToken(caller, baseName);
        firstToken(caller, world.register(acme, LoraFiles.write(dir.resolve("warmup"), 99, 0.6f, ServingWorld.qv()),
                world.fingerprint).ref());

        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        List<Double> base = new ArrayList<>();
        List<Double> fetch = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> baseRatios = new ArrayList<>();
        long bytes = 0;
        for (int r = 0; r < rounds; r++) {
            Path files = LoraFiles.write(dir.resolve("v" + r), r + 1, 0.6f, ServingWorld.qv());
            AdapterVersion v = world.register(acme, files, world.fingerprint);
            bytes = v.artifact().sizeBytes();
            fetch.add(fetchMillis(v, dir.resolve("fetch-" + r)));
            double c = firstToken(caller, v.ref());
            List<Double> w = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                w.add(firstToken(caller, v.ref()));
            }
            double wm = median(w);
            cold.add(c);
            warm.add(wm);
            ratios.add(c / wm);
            double b = firstToken(caller, baseName);
            base.add(b);
            baseRatios.add(b / wm);
        }

        String table = String.format(Locale.ROOT, """
                ## Serving: time to first token, cold (object storage) vs warm

                %d rounds, LoRA r=4 on q_proj/v_proj of %s (%d bytes of adapter files), prompt of %d characters,
                in-process (Generations.start to the first text event), the S3 server on loopback.

                | case | median TTFT | median of per-round ratios to warm |
                |---|---:|---:|
                | cold: resolve + S3 fetch + load + first token | %.1f ms | %.2f |
                | warm: adapter cached | %.1f ms | 1.00 |
                | base model alone | %.1f ms | %.2f |
                | (S3 fetch of the version's files alone) | %.1f ms | |
                """, rounds, baseName, bytes, PROMPT.length(), median(cold), median(ratios), median(warm), median(base),
                median(baseRatios), median(fetch));
        System.out.println(table);
        Path out = Path.of("target/bench/serving-cold-start.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        assertThat(table).contains("| cold:");
    }

    /** Milliseconds from the start of a one-token completion to its first text. */
    double firstToken(Caller caller, String model) throws Exception {
        CompletionRequest request = CompletionRequest.completion("{\"model\": \"" + model + "\", \"prompt\": \"" + PROMPT
                + "\", \"max_tokens\": 1, \"temperature\": 0}");
        long started = System.nanoTime();
        try (Generations.Running running = generations.start(caller, request)) {
            for (Generations.Event e = running.next(); ; e = running.next()) {
                if (e instanceof Generations.Text || e instanceof Generations.Finished) {
                    return (System.nanoTime() - started) / 1e6;
                }
                if (e instanceof Generations.Failed f) {
                    throw f.error();
                }
            }
        }
    }

    double fetchMillis(AdapterVersion v, Path target) throws Exception {
        long started = System.nanoTime();
        for (ObjectInfo o : store.list(v.artifact().prefix())) {
            store.getToFile(o.key(), target.resolve(o.key().substring(v.artifact().prefix().length())));
        }
        return (System.nanoTime() - started) / 1e6;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
