package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** deploy/compose.yaml parsed as Compose reads it (YAML merge keys included). */
class ComposeFileTest {

    /** A credential in the compose file is an interpolation with a default that says it is local-only. */
    static final Pattern LOCAL_ONLY_DEFAULT = Pattern.compile("^\\$\\{FINETUNE_[A-Z_]+:-([a-z0-9-]*local[a-z0-9-]*)}$");

    static Map<String, Object> services;

    @BeforeAll
    static void load() {
        services = Chart.cast(Chart.loadYaml(compose()).get("services"));
    }

    static Path compose() {
        return Chart.repoRoot().resolve("deploy/compose.yaml");
    }

    @Test
    void declaresPostgresMinioBucketCreationApiAndWorker() {
        assertThat(services).containsKeys("postgres", "minio", "create-bucket", "api", "worker");
        assertThat(service("postgres").get("image")).isEqualTo("postgres:17");
        assertThat((String) service("minio").get("image")).startsWith("minio/minio");
        assertThat(service("create-bucket").get("restart")).isEqualTo("no");
        assertThat(service("create-bucket").get("entrypoint").toString()).contains("mc mb --ignore-existing local/finetune");
        assertThat(service("api").get("build").toString()).contains("dockerfile=deploy/api.Dockerfile");
        assertThat(service("worker").get("build").toString()).contains("dockerfile=deploy/worker-cpu.Dockerfile");
        assertThat(service("worker").get("command")).isEqualTo(List.of("worker"));
    }

    @Test
    void apiAndWorkerGetEveryVariableTheirApplicationReads() {
        assertThat(env("api")).containsKeys(AppEnvironment.api().toArray(String[]::new));
        assertThat(env("worker")).containsKeys(AppEnvironment.worker().toArray(String[]::new))
                .containsEntry("FINETUNE_WORKER_DEVICE", "cpu")
                .containsEntry("DJL_OFFLINE", "true");
        // both talk to the compose services by name, nothing else
        for (String app : List.of("api", "worker")) {
            assertThat(env(app)).containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/finetune")
                    .containsEntry("FINETUNE_STORAGE_ENDPOINT", "http://minio:9000")
                    .containsEntry("FINETUNE_STORAGE_BUCKET", "finetune");
        }
    }

    @Test
    void credentialsAreOnlyDocumentedLocalOnlyDefaults() throws Exception {
        String readme = Files.readString(Chart.repoRoot().resolve("deploy/README.md"));
        for (String name : services.keySet()) {
            Object environment = service(name).get("environment");
            if (!(environment instanceof Map<?, ?> vars)) {
                continue;
            }
            vars.forEach((key, value) -> {
                if (key.toString().matches(".*(PASSWORD|SECRET|_KEY|ACCESS_KEY|_USER|USERNAME)$") && !key.equals("POSTGRES_USER")
                        && !key.equals("SPRING_DATASOURCE_USERNAME") && !key.equals(BootstrapKeyDocsTest.VARIABLE)) {
                    var matcher = LOCAL_ONLY_DEFAULT.matcher(value.toString());
                    assertThat(matcher.matches()).as("%s.%s = %s", name, key, value).isTrue();
                    assertThat(readme).as("deploy/README.md documents the local-only default of %s", key)
                            .contains("`" + matcher.group(1) + "`");
                }
            });
        }
        // the same password on both sides of the wire, from one variable
        assertThat(env("api").get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(env("postgres").get("POSTGRES_PASSWORD"));
        assertThat(env("worker").get("FINETUNE_STORAGE_SECRET_KEY")).isEqualTo(env("minio").get("MINIO_ROOT_PASSWORD"));
    }

    @Test
    void appsWaitForAHealthyDatabaseAndACreatedBucket() {
        for (String app : List.of("api", "worker")) {
            Map<String, Object> dependsOn = Chart.cast(service(app).get("depends_on"));
            assertThat(dependsOn).containsEntry("postgres", Map.of("condition", "service_healthy"))
                    .containsEntry("create-bucket", Map.of("condition", "service_completed_successfully"));
        }
        assertThat(service("postgres")).containsKey("healthcheck");
        assertThat(service("minio")).containsKey("healthcheck");
    }

    @Test
    void workerStopsGracefullyAndKeepsItsWorkAndNativeCacheOnVolumes() {
        Map<String, Object> worker = service("worker");

        assertThat(worker.get("stop_grace_period")).isEqualTo("5m");
        // the same rule as the chart: the worker stops waiting 30 s before Docker's SIGKILL
        Duration grace = Durations.parse(worker.get("stop_grace_period").toString());
        Duration timeout = Durations.parse(env("worker").get("FINETUNE_WORKER_SHUTDOWN_TIMEOUT").toString());
        assertThat(timeout).isEqualTo(grace.minus(ChartGracefulStopTest.MARGIN)).isPositive();
        assertThat(Chart.list(worker.get("volumes"))).contains("worker-work:/var/lib/finetune/work", "djl-cache:/var/cache/djl");
        assertThat(worker).containsEntry("read_only", true);
        assertThat(service("api")).containsEntry("read_only", true);
    }

    @Test
    void publishesPortsOnLoopbackOnly() {
        for (String name : services.keySet()) {
            for (Object port : Chart.list(service(name).get("ports"))) {
                assertThat(port.toString()).as(name).startsWith("127.0.0.1:");
            }
        }
    }

    private static Map<String, Object> service(String name) {
        return Chart.cast(services.get(name));
    }

    private static Map<String, Object> env(String name) {
        return Chart.cast(service(name).get("environment"));
    }
}
