package dev.finetune.serving;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.apikey.IssuedApiKey;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.job.NewJob;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.progress.JobCheckpoint;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.testing.SharedInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.recipe.AdapterInference;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.registry.Promotion;
import dev.finetune.settings.FineTuningMethod;
import org.apache.commons.codec.digest.DigestUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the serving tests call: the sample base model {@code tinystories-656k} in object storage as
 * a global base model, tenants with keys, and registry versions whose files are real PEFT adapters
 * in object storage, registered as the worker's completion would register them.
 */
final class ServingWorld {

    static final Path SAMPLES = Path.of(System.getProperty("samples.dir", "../samples"));
    static final Path BASE_DIR = SAMPLES.resolve("models/tinystories-656k");

    final TestData data;
    final SegmentRepository segments;
    final ApiKeyRepository keys;
    final BaseModelRepository models;
    final ArtifactStore store;
    final AdapterRegistry registry;
    BaseModel base;
    String fingerprint;

    /** The world of one serving test context: its test data, repositories, object store and registry. */
    ServingWorld(ApplicationContext context) {
        this.data = context.getBean(TestData.class);
        this.segments = context.getBean(SegmentRepository.class);
        this.keys = context.getBean(ApiKeyRepository.class);
        this.models = context.getBean(BaseModelRepository.class);
        this.store = context.getBean(ArtifactStore.class);
        this.registry = context.getBean(AdapterRegistry.class);
    }

    /** Uploads the sample base model under a fresh global name, and reads its fingerprint as the worker would. */
    BaseModel base(String name) throws IOException {
        String prefix = ObjectKeys.globalBaseModelPrefix(name);
        try (Stream<Path> files = Files.list(BASE_DIR)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith("REFERENCE")).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                store.put(prefix + f.getFileName(), new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");
            }
        }
        base = models.save(BaseModel.global(name, prefix, Map.of("model_type", "llama")));
        try (AdapterInference engine = AdapterInference.open(BASE_DIR, null, "cpu")) {
            fingerprint = BaseModelRef.fingerprint(engine.model());
        }
        return base;
    }

    /** A tenant with a segment of that name. */
    Fixture tenant(String name, String segment) {
        Fixture f = data.tenant(name);
        Segment s = segments.save(f.tenant().newSegment(new SegmentName(segment)));
        return new Fixture(f.tenant(), s, base, f.dataset());
    }

    String key(Fixture f, ApiKeyScope scope) {
        IssuedApiKey issued = ApiKey.issue(f.tenant().id(), "serving test", EnumSet.of(scope));
        keys.save(issued.key());
        return issued.token().reveal();
    }

    /** A succeeded job of {@code f} whose adapter is the directory {@code adapterDir}, registered as the next version. */
    AdapterVersion register(Fixture f, Path adapterDir, String baseFingerprint) {
        return register(f, adapterDir, baseFingerprint, FineTuningMethod.LORA);
    }

    AdapterVersion register(Fixture f, Path adapterDir, String baseFingerprint, FineTuningMethod method) {
        FineTuningJob job = data.job(f, JobStatus.SUCCEEDED);
        String prefix = ObjectKeys.adapterPrefix(f.tenant().id(), job.id());
        long size = 0;
        String sha = null;
        try (Stream<Path> files = Files.list(adapterDir)) {
            for (Path file : files.toList()) {
                byte[] bytes = Files.readAllBytes(file);
                store.put(prefix + file.getFileName(), new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");
                size += bytes.length;
                if (file.getFileName().toString().endsWith(".safetensors")) {
                    sha = DigestUtils.sha256Hex(bytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FineTuningSucceeded event = new FineTuningSucceeded(job.id(), f.tenant().id(), f.segment().name(), base.id(),
                baseFingerprint, "d".repeat(64), "e".repeat(64), method, Hyperparameters.defaults(),
                new FineTuningSucceeded.Metrics(10, 1000, 3.0, 2.0, 2.9, 2.1, 2.1, Math.exp(2.1)),
                new FineTuningSucceeded.Artifact(prefix, sha, size), "ft_worker", Instant.now());
        return registry.register(event).version();
    }

    /**
     * A job of {@code f} trained with {@code method} on {@code base} with a checkpoint at {@code step}
     * laid out as the worker writes it: training state, and the adapter {@code adapterDir} under
     * {@code adapter/} (none when {@code adapterDir} is null, as checkpoints written before they
     * carried their adapter), recorded in {@code job_checkpoints}. Returns its name.
     */
    String checkpoint(Fixture f, BaseModel on, FineTuningMethod method, int step, Path adapterDir,
            FineTuningJobRepository jobs, JobCheckpointRepository checkpoints) {
        NewJob wanted = new NewJob(f.tenant().id(), f.segment().id(), on.id(), f.dataset().id(), null, method,
                Hyperparameters.defaults(), "ckpt", Map.of(), 42L, null);
        FineTuningJob job = FineTuningJob.submit(wanted, Instant.now());
        TestData.walkTo(job, JobStatus.RUNNING);
        job = jobs.save(job);
        String prefix = ObjectKeys.checkpointPrefix(f.tenant().id(), job.id(), step);
        put(prefix + "trainable.safetensors", "weights".getBytes());
        put(prefix + "optimizer.safetensors", "moments".getBytes());
        if (adapterDir != null) {
            try (Stream<Path> files = Files.list(adapterDir)) {
                for (Path file : files.toList()) {
                    put(ObjectKeys.checkpointAdapterPrefix(f.tenant().id(), job.id(), step) + file.getFileName(),
                            Files.readAllBytes(file));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        put(prefix + "trainer_state.json", ("{\"step\": " + step + "}").getBytes());
        checkpoints.save(new JobCheckpoint(job.id(), step, prefix, Instant.now()));
        return new CheckpointRef(job.id(), step).name();
    }

    private void put(String key, byte[] bytes) {
        store.put(key, new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");
    }

    void promote(Fixture f, String alias, int version) {
        registry.promote(f.tenant().id(), f.segment().name(), alias, Promotion.forced(version, "serving test"), "test");
    }

    /**
     * Starts one more serving process (its own context and port) on the same PostgreSQL and S3 server,
     * with {@code settings} ({@code key=value}) added: a second pool beside the test's own, configured
     * after the world it serves exists (a merged pool merges at start).
     */
    static ConfigurableApplicationContext startServing(String... settings) {
        var pg = SharedInfrastructure.postgres();
        List<String> args = new java.util.ArrayList<>(List.of(
                "--server.port=0", "--spring.main.banner-mode=off",
                "--spring.datasource.url=" + pg.jdbcUrl(),
                "--spring.datasource.username=" + pg.username(),
                "--spring.datasource.password=" + pg.password(),
                "--finetune.storage.endpoint=" + SharedInfrastructure.s3().endpoint(),
                "--finetune.storage.bucket=" + SharedInfrastructure.BUCKET,
                "--finetune.storage.access-key=" + SharedInfrastructure.ACCESS_KEY,
                "--finetune.storage.secret-key=" + SharedInfrastructure.SECRET_KEY));
        for (String s : settings) {
            args.add("--" + s);
        }
        return ServingApplication.application().run(args.toArray(String[]::new));
    }

    static int port(ConfigurableApplicationContext serving) {
        return serving.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    static List<String> qv() {
        return List.of("q_proj", "v_proj");
    }
}
