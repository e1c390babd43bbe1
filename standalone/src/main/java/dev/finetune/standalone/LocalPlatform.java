package dev.finetune.standalone;

import dev.finetune.api.ApiApplication;
import dev.finetune.localinfra.EmbeddedPostgres;
import dev.finetune.localinfra.S3ProxyServer;
import dev.finetune.serving.EmbeddedServing;
import dev.finetune.serving.web.EncodedSlashes;
import dev.finetune.worker.WorkerApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.context.WebApplicationContext;

/**
 * The whole platform in one process, with nothing installed by hand: embedded PostgreSQL (data in
 * {@code <home>/postgres}), an S3Proxy child process (objects in {@code <home>/objects}), the API
 * and dashboard, and one in-process worker; the bundled demo model and dataset are registered on
 * first start. Everything lives under one directory, so a restart keeps jobs, datasets and adapters.
 *
 * <p>The API, the worker and serving run as three Spring contexts, as they do on separate machines
 * in production, sharing only the database and the bucket. Serving answers on the API's port:
 * {@link ServingRoute}, a filter ahead of the API's own, hands {@code /v1/chat/completions},
 * {@code /v1/completions} and {@code /v1/models} to it.
 */
public final class LocalPlatform implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

    /** Auto-configurations the serving context must not run: it checks keys itself, and serves no pages. */
    private static final java.util.List<String> SECURITY_AUTO_CONFIGURATIONS = java.util.List.of(
            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
            "dev.finetune.webui.DashboardPagesSecurity");

    private final EmbeddedPostgres postgres;
    private final S3ProxyServer s3;
    private final ConfigurableApplicationContext api;
    private final ConfigurableApplicationContext worker;
    private final EmbeddedServing serving;
    private final LocalSettings settings;
    private final String operatorKey;

    private LocalPlatform(LocalSettings settings, EmbeddedPostgres postgres, S3ProxyServer s3,
                          ConfigurableApplicationContext api, ConfigurableApplicationContext worker, EmbeddedServing serving,
                          String operatorKey) {
        this.settings = settings;
        this.postgres = postgres;
        this.s3 = s3;
        this.api = api;
        this.worker = worker;
        this.serving = serving;
        this.operatorKey = operatorKey;
    }

    public static void main(String[] args) throws Exception {
        LocalPlatform platform = start(LocalSettings.fromEnvironment(), args);
        Runtime.getRuntime().addShutdownHook(new Thread(platform::close, "local-platform-shutdown"));
        platform.printWelcome();
    }

    public static LocalPlatform start(LocalSettings settings, String... args) throws Exception {
        Files.createDirectories(settings.home());
        LocalSecrets secrets = LocalSecrets.loadOrCreate(settings.home());
        // a PostgreSQL left running by a platform killed with SIGKILL is stopped first (EmbeddedPostgres)
        EmbeddedPostgres postgres = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(
                settings.home().resolve("postgres"), settings.postgresPort(), secrets.postgresPassword()));
        // S3Proxy exits with this JVM (even on SIGKILL) and is restarted on the same port if it dies
        S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Options.onDisk(settings.home().resolve("objects"),
                settings.s3Port(), secrets.s3Identity(), secrets.s3Credential()));
        s3.supervise(settings.s3RestartDelay());
        Map<String, Object> shared = new LinkedHashMap<>();
        shared.put("spring.datasource.url", postgres.jdbcUrl());
        shared.put("spring.datasource.username", postgres.username());
        shared.put("spring.datasource.password", postgres.password());
        shared.put("finetune.storage.endpoint", s3.endpoint());
        shared.put("finetune.storage.bucket", "finetune-local");
        shared.put("finetune.storage.access-key", secrets.s3Identity());
        shared.put("finetune.storage.secret-key", secrets.s3Credential());

        Map<String, Object> apiProperties = new LinkedHashMap<>(shared);
        apiProperties.put("server.port", settings.apiPort());
        // it prints an operator key: this machine only, unless FINETUNE_BIND_ADDRESS opens it
        apiProperties.put("server.address", settings.bindAddress());
        apiProperties.put("finetune.bootstrap-key", secrets.operatorKey());
        // S3Proxy listens on loopback only: a presigned URL would work on this machine alone
        apiProperties.put("finetune.downloads.mode", "proxied");
        // one process: its meters (API and worker alike) carry one application tag
        apiProperties.put("management.metrics.tags.application", "finetune-local");
        ServingRoute route = new ServingRoute();
        ConfigurableApplicationContext api = new SpringApplicationBuilder(ApiApplication.class)
                .initializers(context -> {
                    context.getBeanFactory().registerSingleton("servingRoute", route.registration());
                    context.getBeanFactory().registerSingleton("servingOutOfApiScan", ServingRoute.excludeFromApiScan());
                    // GET /v1/models/support%2F2 reaches ServingRoute: Tomcat passes the encoded slash through
                    context.getBeanFactory().registerSingleton("encodedSlashesPassThrough", EncodedSlashes.passThrough());
                })
                .run(arguments(apiProperties, args));
        // FINETUNE_PORT=0 picks a free port: from here on, settings carry the one actually bound
        settings = settings.withApiPort(api.getEnvironment().getProperty("local.server.port", Integer.class, settings.apiPort()));
        DemoContent.install(api, settings, secrets.operatorKey());

        Map<String, Object> workerProperties = new LinkedHashMap<>(shared);
        workerProperties.put("finetune.worker.work-dir", settings.home().resolve("work").toString());
        workerProperties.put("spring.main.banner-mode", "off");
        // the worker serves no HTTP here: its meters join the API's registry, so the API's
        // /actuator/prometheus shows the worker's tokens, steps and job durations too
        MeterRegistry meters = api.getBean(MeterRegistry.class);
        ConfigurableApplicationContext worker = WorkerApplication.application()
                .initializers(context -> context.getBeanFactory().registerSingleton("localPlatformMeterRegistry", meters))
                .web(WebApplicationType.NONE).run(arguments(workerProperties, args));

        Map<String, Object> servingProperties = new LinkedHashMap<>(shared);
        servingProperties.put("finetune.serving.work-dir", settings.home().resolve("serving").toString());
        servingProperties.put("spring.main.banner-mode", "off");
        // the API's security and the dashboard's page chain are on this classpath, but serving checks keys
        // itself (and the API's filters never see its paths)
        servingProperties.put("spring.autoconfigure.exclude", String.join(",", SECURITY_AUTO_CONFIGURATIONS));
        ApplicationContextInitializer<ConfigurableApplicationContext> sharedMeters =
                context -> context.getBeanFactory().registerSingleton("localPlatformMeterRegistry", meters);
        EmbeddedServing serving = EmbeddedServing.start(((WebApplicationContext) api).getServletContext(),
                java.util.List.of(sharedMeters), arguments(servingProperties, args));
        route.serveWith(serving);
        return new LocalPlatform(settings, postgres, s3, api, worker, serving, secrets.operatorKey());
    }

    /**
     * Settings as command-line arguments: they must outrank the applications' own
     * {@code application.yml} (default properties would not), and the user's arguments come last.
     */
    private static String[] arguments(Map<String, Object> properties, String[] userArgs) {
        java.util.List<String> out = new java.util.ArrayList<>();
        properties.forEach((k, v) -> out.add("--" + k + "=" + v));
        out.addAll(java.util.List.of(userArgs));
        return out.toArray(String[]::new);
    }

    public String url() {
        return "http://localhost:" + settings.apiPort() + "/";
    }

    public String operatorKey() {
        return operatorKey;
    }

    void printWelcome() {
        String line = "-".repeat(72);
        if (!settings.loopbackOnly()) {
            log.warn("The API listens on {} (FINETUNE_BIND_ADDRESS), not only on this machine: anyone who can reach "
                    + "port {} and learns a key can use it", settings.bindAddress(), settings.apiPort());
        }
        System.out.println(line);
        System.out.println("Fine-tuning platform is running");
        System.out.println("  dashboard + API : " + url() + "   (OpenAPI: " + url() + "v3/api-docs)");
        System.out.println("  OpenAI-style    : " + url() + "v1   (chat/completions, completions, models; the same key)");
        System.out.println("  API key         : " + operatorKey + "   (operator of tenant 'default')");
        System.out.println("  data directory  : " + settings.home().toAbsolutePath() + "   (kept across restarts)");
        System.out.println("  demo            : base model '" + DemoContent.MODEL + "', dataset '" + DemoContent.DATASET + "'");
        System.out.println("  try             : curl -H 'Authorization: Bearer " + operatorKey + "' " + url() + "api/v1/datasets");
        System.out.println(line);
    }

    @Override
    public void close() {
        log.info("Stopping the local platform");
        closeQuietly(serving);
        closeQuietly(worker);
        closeQuietly(api);
        closeQuietly(s3);
        closeQuietly(postgres);
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("while stopping {}: {}", resource.getClass().getSimpleName(), e.getMessage());
        }
    }
}
