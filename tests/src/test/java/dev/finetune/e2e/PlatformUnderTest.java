package dev.finetune.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.finetune.api.ApiApplication;
import dev.finetune.localinfra.EmbeddedPostgres;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectInfo;
import dev.finetune.core.testing.SharedInfrastructure;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The system under test, started once per JVM: a real PostgreSQL 17 and a real S3 server
 * ({@link SharedInfrastructure}), the API in-process on a random port with a known operator key,
 * and training workers as separate JVMs from the worker's runnable jar ({@link #startWorker}).
 *
 * <p>Tests talk to it over HTTP ({@link #operator()}); {@link #jdbc()} and {@link #objects()} exist
 * only to prove that nothing stored changed, never to set anything up behind the API's back.
 * Each test class uses its own tenant and stops its own workers, and leaves no job queued
 * ({@link Api#cancelUnfinishedJobs()}), so one class's worker never trains another class's job.
 */
public final class PlatformUnderTest {

    /** The operator key of tenant {@code default} on this install (only its hash is stored). */
    public static final String OPERATOR_KEY = "ftk_e2etests_" + "operatorKeyOfTheEndToEndTests0123456789ABCD";
    /** Small, so the oversized-upload case needs no large file; every real sample is below it. */
    public static final String MAX_DATASET_UPLOAD = "512KB";

    private static PlatformUnderTest instance;

    private final ConfigurableApplicationContext api;
    private final String baseUrl;
    private final Path repoRoot;
    private final Path logs;
    private final List<WorkerProcess> workers = new ArrayList<>();

    private PlatformUnderTest(ConfigurableApplicationContext api, Path repoRoot, Path logs) {
        this.api = api;
        this.baseUrl = "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");
        this.repoRoot = repoRoot;
        this.logs = logs;
    }

    /** Starts everything on first use; later calls return the same platform. */
    public static synchronized PlatformUnderTest get() {
        if (instance == null) {
            long t0 = System.nanoTime();
            EmbeddedPostgres pg = SharedInfrastructure.postgres();
            var s3 = SharedInfrastructure.s3();
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("server.port", 0);
            settings.put("spring.datasource.url", pg.jdbcUrl());
            settings.put("spring.datasource.username", pg.username());
            settings.put("spring.datasource.password", pg.password());
            settings.put("finetune.storage.endpoint", s3.endpoint());
            settings.put("finetune.storage.bucket", SharedInfrastructure.BUCKET);
            settings.put("finetune.storage.access-key", SharedInfrastructure.ACCESS_KEY);
            settings.put("finetune.storage.secret-key", SharedInfrastructure.SECRET_KEY);
            settings.put("finetune.bootstrap-key", OPERATOR_KEY);
            settings.put("finetune.datasets.max-upload-size", MAX_DATASET_UPLOAD);
            settings.put("finetune.datasets.error-cap", 50);
            // ConcurrencyIT queues 50 jobs of one tenant at once, beyond the default quota of 20
            settings.put("finetune.jobs.max-active-per-tenant", 100);
            settings.put("spring.main.banner-mode", "off");
            // the API's registry retries unregistered jobs only at start: a succeeded job whose worker
            // died before registering it is then picked up by the next worker (CrashRecoveryIT)
            settings.put("finetune.registry.completions.interval", "1h");
            settings.put("finetune.registry.completions.max-backoff", "1h");
            List<String> args = new ArrayList<>();
            settings.forEach((k, v) -> args.add("--" + k + "=" + v));
            ConfigurableApplicationContext api = new SpringApplicationBuilder(ApiApplication.class)
                    .run(args.toArray(String[]::new));
            Path root = repoRoot();
            Path logs = Path.of(System.getProperty("e2e.logs.dir", root.resolve("tests/target/e2e-logs").toString()));
            instance = new PlatformUnderTest(api, root, logs);
            Runtime.getRuntime().addShutdownHook(new Thread(instance::shutdown, "platform-under-test-stop"));
            System.out.printf("[e2e] platform up at %s in %d ms%n", instance.baseUrl, (System.nanoTime() - t0) / 1_000_000);
        }
        return instance;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** A client holding the operator key. */
    public Api operator() {
        return new Api(baseUrl, OPERATOR_KEY);
    }

    public Api as(String key) {
        return new Api(baseUrl, key);
    }

    /**
     * Starts a worker in its own JVM ({@code java -jar trainer-worker-*-exec.jar worker}), configured
     * only by environment variables, as a container would be; its log goes to
     * {@code target/e2e-logs/worker-<name>.log}. {@code overrides} are extra environment variables.
     */
    public synchronized WorkerProcess startWorker(String name, Map<String, String> overrides) {
        EmbeddedPostgres pg = SharedInfrastructure.postgres();
        var s3 = SharedInfrastructure.s3();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DJL_OFFLINE", "true");
        env.put("OPT_OUT_TRACKING", "true");
        env.put("SPRING_DATASOURCE_URL", pg.jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", pg.username());
        env.put("SPRING_DATASOURCE_PASSWORD", pg.password());
        env.put("SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE", "4");
        env.put("FINETUNE_STORAGE_ENDPOINT", s3.endpoint());
        env.put("FINETUNE_STORAGE_BUCKET", SharedInfrastructure.BUCKET);
        env.put("FINETUNE_STORAGE_ACCESSKEY", SharedInfrastructure.ACCESS_KEY);
        env.put("FINETUNE_STORAGE_SECRETKEY", SharedInfrastructure.SECRET_KEY);
        env.put("FINETUNE_WORKER_ID", name);
        env.put("FINETUNE_WORKER_SLICESTEPS", "4");
        env.put("FINETUNE_WORKER_WORKDIR", logs.resolve("work").resolve(name).toString());
        env.put("FINETUNE_WORKER_SHUTDOWNTIMEOUT", "20s");
        env.put("FINETUNE_QUEUE_LEASE", "20s");
        env.put("FINETUNE_QUEUE_HEARTBEATINTERVAL", "2s");
        env.put("FINETUNE_QUEUE_POLLINTERVAL", "500ms");
        env.put("SERVER_PORT", "0");
        env.put("SPRING_MAIN_BANNERMODE", "off");
        // the jar's logback.xml keeps everything at WARN (it is the CLI's); the worker's own INFO lines tell the story
        env.put("LOGGING_LEVEL_DEV_FINETUNE", "INFO");
        env.putAll(overrides);
        WorkerProcess worker = WorkerProcess.start(name, workerJar(), env, logs.resolve("worker-" + name + ".log"));
        workers.add(worker);
        return worker;
    }

    /** The worker's runnable jar, built by the reactor's package phase before this module's integration tests. */
    public Path workerJar() {
        Path jar = repoRoot.resolve("trainer-worker/target/trainer-worker-0.1.0-SNAPSHOT-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The worker's runnable jar is missing: " + jar + ". Build it first with "
                    + "'./mvnw -pl trainer-worker -am package -DskipTests', or run these tests with './mvnw verify'.");
        }
        return jar;
    }

    public Path repoRootPath() {
        return repoRoot;
    }

    public Path logsDir() {
        return logs;
    }

    /** Read-only access for "nothing stored changed" checks. */
    public JdbcClient jdbc() {
        return api.getBean(JdbcClient.class);
    }

    /** Every object key under {@code prefix} in the bucket, for before/after comparisons. */
    public List<String> objects(String prefix) {
        return api.getBean(ArtifactStore.class).list(prefix).stream().map(ObjectInfo::key).sorted().toList();
    }

    static Path repoRoot() {
        String root = System.getProperty("repo.root", System.getProperty("maven.multiModuleProjectDirectory"));
        if (root != null) {
            return Path.of(root).toAbsolutePath();
        }
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("trainer-worker")) ? here : here.getParent();
    }

    public static Path samples() {
        String dir = System.getProperty("samples.dir");
        return dir != null ? Path.of(dir) : repoRoot().resolve("samples");
    }

    private synchronized void shutdown() {
        workers.forEach(WorkerProcess::kill);
        api.close();
    }
}
