package dev.finetune.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.core.dataset.Dataset;
import dev.finetune.settings.DatasetFormat;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.job.NewJob;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.Tenant;
import dev.finetune.core.tenant.TenantRepository;
import dev.finetune.core.testing.SharedInfrastructure;
import org.apache.commons.codec.digest.DigestUtils;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.core.env.MapPropertySource;

/**
 * Test data through the real repositories and the real object store, as the API would leave it,
 * and worker processes as separate Spring contexts against the same PostgreSQL and S3Proxy.
 */
final class WorkerFixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    private final ConfigurableApplicationContext api;

    WorkerFixtures(ConfigurableApplicationContext api) {
        this.api = api;
    }

    static Path samples() {
        String dir = System.getProperty("samples.dir");
        return dir != null ? Path.of(dir) : Path.of("../samples");
    }

    /** A tenant with its default segment. */
    Segment tenant(String name) {
        Tenant tenant = api.getBean(TenantRepository.class).save(Tenant.create(name + "-" + System.nanoTime()));
        return api.getBean(SegmentRepository.class).save(tenant.newSegment(SegmentName.DEFAULT));
    }

    /** The bundled tinystories-656k checkpoint, uploaded and registered as a global base model. */
    BaseModel tinystories() {
        String name = "tinystories-656k-" + System.nanoTime();
        String prefix = ObjectKeys.globalBaseModelPrefix(name);
        Path dir = samples().resolve("models/tinystories-656k");
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> !f.getFileName().toString().startsWith("REFERENCE"))
                    .forEach(f -> store().putFile(prefix + f.getFileName(), f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return api.getBean(BaseModelRepository.class).save(BaseModel.global(name, prefix, Map.of("hidden_size", 128)));
    }

    /** The first {@code rows} records of llamafactory_identity.json as chat JSONL (user -> assistant). */
    static String identityChat(int rows) {
        try {
            JsonNode records = JSON.readTree(samples().resolve("datasets/llamafactory_identity.json").toFile());
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < rows; i++) {
                JsonNode r = records.get(i);
                String prompt = r.get("instruction").asText()
                        + (r.get("input").asText().isEmpty() ? "" : "\n" + r.get("input").asText());
                out.append(JSON.writeValueAsString(Map.of("messages", List.of(
                        Map.of("role", "user", "content", prompt),
                        Map.of("role", "assistant", "content", r.get("output").asText()))))).append('\n');
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Uploads {@code content} as a chat JSONL dataset and records it as valid, as the API does after
     * validation (or as someone who replaced the file behind the API's back would leave it).
     */
    Dataset dataset(Segment segment, String content) {
        return dataset(segment, "train.jsonl", content);
    }

    /** {@link #dataset(Segment, String)} uploaded as {@code name}. */
    Dataset dataset(Segment segment, String name, String content) {
        DatasetId id = DatasetId.random();
        String key = ObjectKeys.dataset(segment.tenantId(), id, name);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        store().put(key, new java.io.ByteArrayInputStream(bytes), bytes.length, "application/jsonl");
        Dataset dataset = new Dataset(id, segment.tenantId(), name, DatasetFormat.CHAT, key,
                DigestUtils.sha256Hex(bytes), bytes.length, Instant.now());
        dataset.markValid(content.lines().count(), bytes.length / 4);
        return api.getBean(DatasetRepository.class).save(dataset);
    }

    /** A queued job. */
    FineTuningJob queue(Segment segment, BaseModel model, Dataset dataset, FineTuningMethod method,
            Hyperparameters hyperparameters) {
        FineTuningJob job = FineTuningJob.submit(new NewJob(segment.tenantId(), segment.id(), model.id(),
                dataset.id(), null, method, hyperparameters, "test", Map.of(), 42L, null), Instant.now());
        job.transitionTo(JobStatus.QUEUED, Instant.now());
        return jobs().save(job);
    }

    /** A queued job with its seed, validation file (null: none) and checkpoint to start from (null: none). */
    FineTuningJob queue(Segment segment, BaseModel model, Dataset dataset, Dataset validation, FineTuningMethod method,
            Hyperparameters hyperparameters, long seed, dev.finetune.core.job.CheckpointRef from) {
        FineTuningJob job = FineTuningJob.submit(new NewJob(segment.tenantId(), segment.id(), model.id(),
                dataset.id(), validation == null ? null : validation.id(), method, hyperparameters, "test", Map.of(),
                seed, null, from), Instant.now());
        job.transitionTo(JobStatus.QUEUED, Instant.now());
        return jobs().save(job);
    }

    /** A short QLoRA run: {@code steps} optimizer steps of 4 sequences. */
    static Hyperparameters quick(int steps) {
        return Hyperparameters.builder().maxSteps(steps).batchSize(4).learningRate(1e-3).maxSeqLength(128)
                .warmupRatio(0.0).loraR(8).loraAlpha(16).loraDropout(0.0).build();
    }

    FineTuningJob job(JobId id) {
        return jobs().find(id).orElseThrow();
    }

    FineTuningJobRepository jobs() {
        return api.getBean(FineTuningJobRepository.class);
    }

    ArtifactStore store() {
        return api.getBean(ArtifactStore.class);
    }

    /** Starts a worker process (a Spring context of its own) named {@code name}. */
    static Worker worker(String name, Path workRoot, SucceededEvents events, Object... extraBeans) {
        return worker(name, workRoot, events, Map.of(), extraBeans);
    }

    /** A worker whose {@code overrides} replace the test defaults below (e.g. a longer slice). */
    static Worker worker(String name, Path workRoot, SucceededEvents events, Map<String, Object> overrides,
            Object... extraBeans) {
        var pg = SharedInfrastructure.postgres();
        var s3 = SharedInfrastructure.s3();
        Map<String, Object> defaults = Map.ofEntries(
                Map.entry("spring.datasource.url", pg.jdbcUrl()),
                Map.entry("spring.datasource.username", pg.username()),
                Map.entry("spring.datasource.password", pg.password()),
                Map.entry("spring.datasource.hikari.maximum-pool-size", "4"),
                Map.entry("finetune.storage.endpoint", s3.endpoint()),
                Map.entry("finetune.storage.bucket", SharedInfrastructure.BUCKET),
                Map.entry("finetune.storage.access-key", SharedInfrastructure.ACCESS_KEY),
                Map.entry("finetune.storage.secret-key", SharedInfrastructure.SECRET_KEY),
                Map.entry("finetune.worker.id", name),
                Map.entry("finetune.worker.slice-steps", "2"),
                Map.entry("finetune.worker.work-dir", workRoot.resolve(name).toString()),
                Map.entry("finetune.worker.shutdown-timeout", "60s"),
                Map.entry("finetune.queue.lease", "20s"),
                Map.entry("finetune.queue.heartbeat-interval", "500ms"),
                Map.entry("finetune.queue.poll-interval", "200ms"),
                Map.entry("server.port", "0"),
                Map.entry("spring.main.banner-mode", "off"));
        Map<String, Object> settings = new java.util.HashMap<>(defaults);
        settings.putAll(overrides);
        var builder = WorkerApplication.application();
        builder.listeners(events);
        builder.initializers(ctx -> {
            // above the worker's defaults, as a deployment's environment variables would be
            ctx.getEnvironment().getPropertySources().addFirst(new MapPropertySource("testWorker", settings));
            for (int i = 0; i < extraBeans.length; i++) {
                ctx.getBeanFactory().registerSingleton("testBean" + i, extraBeans[i]);
            }
        });
        return new Worker(name, builder.run());
    }

    /** A running worker process; closing it is a graceful stop (what SIGTERM does). */
    record Worker(String name, ConfigurableApplicationContext context) implements AutoCloseable {

        <T> T bean(Class<T> type) {
            return context.getBean(type);
        }

        int port() {
            return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        }

        @Override
        public void close() {
            context.close();
        }
    }

    /** Every FineTuningSucceeded published in the worker contexts it is registered with. */
    static final class SucceededEvents implements ApplicationListener<PayloadApplicationEvent<FineTuningSucceeded>> {

        final List<FineTuningSucceeded> received = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(PayloadApplicationEvent<FineTuningSucceeded> event) {
            received.add(event.getPayload());
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(end);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Tensor names in a safetensors file's header. */
    static List<String> safetensorNames(InputStream in) throws IOException {
        byte[] len = in.readNBytes(8);
        long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = JSON.readTree(new String(in.readNBytes((int) n), StandardCharsets.UTF_8));
        List<String> names = new ArrayList<>();
        header.fieldNames().forEachRemaining(f -> {
            if (!f.equals("__metadata__")) {
                names.add(f);
            }
        });
        return names;
    }

}
