package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The three images, checked statically (there is no Docker engine where the build runs). */
class DockerfilesTest {

    static Dockerfile image(String name) {
        return Dockerfile.read(Chart.repoRoot().resolve("deploy").resolve(name + ".Dockerfile"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "worker-cpu", "worker-gpu", "serving-cpu", "serving-gpu"})
    void runsAsTheFixedNonRootUserTheChartExpects(String name) {
        Dockerfile.Stage last = image(name).finalStage();

        assertThat(last.args("USER")).containsExactly("10001:10001");
        assertThat(String.join("\n", last.args("RUN"))).contains("useradd --system --uid 10001");
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "worker-cpu", "worker-gpu", "serving-cpu", "serving-gpu"})
    void hasAHealthcheckOnTheActuator(String name) {
        List<String> healthchecks = image(name).finalStage().args("HEALTHCHECK");
        String port = name.startsWith("worker") ? "8081" : "8080";

        assertThat(healthchecks).singleElement().satisfies(check -> assertThat(check)
                .contains("CMD", "/dev/tcp/127.0.0.1/" + port, "/actuator/health/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "worker-cpu", "worker-gpu", "serving-cpu", "serving-gpu"})
    void shipsSpringBootLayersInOrderOfChangeWithTheLauncher(String name) {
        Dockerfile file = image(name);

        assertThat(file.text()).contains("java -Djarmode=tools -jar app.jar extract --layers --launcher");
        assertThat(file.finalStage().args("COPY")).filteredOn(c -> c.contains("/extracted/"))
                .extracting(c -> c.replaceAll(".*/extracted/([a-z-]+)/.*", "$1"))
                .containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
        assertThat(file.finalStage().args("ENTRYPOINT"))
                .containsExactly("[\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]");
    }

    @Test
    void apiImageCarriesNoPytorchNativesAndIsBuiltOnTheJre() {
        Dockerfile api = image("api");

        assertThat(api.finalStage().from()).isEqualTo("eclipse-temurin:17-jre");
        assertThat(api.text()).contains("-pl platform-api -am package")
                .doesNotContain("trainer-worker")
                .doesNotContain("libtorch");
        // the build refuses a jar that carries pytorch-native-* (and so the image can never copy one)
        assertThat(String.join("\n", api.stages().get(0).args("RUN")))
                .contains("grep -Eq '^BOOT-INF/lib/pytorch-native'", "exit 1");
        assertThat(api.finalStage().env()).doesNotContainKeys("PYTORCH_LIBRARY_PATH", "DJL_CACHE_DIR")
                .containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
    }

    @Test
    void workerImagesRunTheWorkerOfflineWithWritableWorkAndCacheDirs() {
        for (String name : List.of("worker-cpu", "worker-gpu")) {
            Dockerfile.Stage last = image(name).finalStage();
            Map<String, String> env = last.env();

            assertThat(env).as(name)
                    .containsEntry("DJL_OFFLINE", "true")
                    .containsEntry("FINETUNE_WORKER_WORK_DIR", "/var/lib/finetune/work")
                    .containsEntry("DJL_CACHE_DIR", "/var/cache/djl")
                    .containsEntry("MANAGEMENT_SERVER_PORT", "8081")
                    .containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
            assertThat(last.args("CMD")).as(name).containsExactly("[\"worker\"]");
            assertThat(String.join("\n", last.args("RUN"))).as(name)
                    .contains("chown 10001:10001 /var/lib/finetune/work /var/cache/djl");
        }
        assertThat(image("worker-cpu").finalStage().env()).containsEntry("FINETUNE_WORKER_DEVICE", "cpu");
        assertThat(image("worker-cpu").finalStage().from()).isEqualTo("eclipse-temurin:17-jre");
    }

    @Test
    void servingImagesRunTheInferenceServerOfflineWithWritableWorkAndCacheDirs() {
        for (String name : List.of("serving-cpu", "serving-gpu")) {
            Dockerfile file = image(name);
            Dockerfile.Stage last = file.finalStage();

            assertThat(file.text()).as(name).contains("-pl inference-server -am package").doesNotContain("trainer-worker");
            assertThat(last.env()).as(name)
                    .containsEntry("DJL_OFFLINE", "true")
                    .containsEntry("FINETUNE_SERVING_WORK_DIR", "/var/lib/finetune/serving")
                    .containsEntry("DJL_CACHE_DIR", "/var/cache/djl")
                    .containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs")
                    .doesNotContainKey("MANAGEMENT_SERVER_PORT");
            assertThat(last.args("CMD")).as(name).isEmpty();
            assertThat(String.join("\n", last.args("RUN"))).as(name)
                    .contains("chown 10001:10001 /var/lib/finetune/serving /var/cache/djl");
        }
        assertThat(image("serving-cpu").finalStage().env()).containsEntry("FINETUNE_SERVING_DEVICE", "cpu");
        assertThat(image("serving-gpu").finalStage().env()).containsEntry("FINETUNE_SERVING_DEVICE", "cuda")
                .containsEntry("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib").containsEntry("PYTORCH_FLAVOR", "cu128");
    }

    @Test
    void gpuImagePointsDjlAtTheCudaLibtorchInsideIt() {
        Dockerfile gpu = image("worker-gpu");
        Dockerfile.Stage last = gpu.finalStage();

        assertThat(last.from()).startsWith("nvidia/cuda:12.8").contains("runtime");
        assertThat(last.env())
                .containsEntry("FINETUNE_WORKER_DEVICE", "cuda")
                .containsEntry("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib")
                .containsEntry("PYTORCH_VERSION", "2.7.1")
                .containsEntry("PYTORCH_FLAVOR", "cu128");
        assertThat(last.args("COPY")).contains("--from=libtorch lib/ /opt/libtorch/lib/", "--from=jre /opt/java/openjdk /opt/java/openjdk");
        assertThat(String.join("\n", last.args("RUN"))).contains("libtorch_cuda.so");
    }

    @Test
    void imagesNameNoRegistryHostAndBuildContextsSkipBuildOutputs() throws Exception {
        for (String name : List.of("api", "worker-cpu", "worker-gpu", "serving-cpu", "serving-gpu")) {
            for (Dockerfile.Stage stage : image(name).stages()) {
                String repository = stage.from().split(":")[0];
                assertThat(repository.contains("/") && repository.split("/")[0].contains("."))
                        .as("%s FROM %s names a registry host; use global.imageRegistry or a build arg", name, stage.from())
                        .isFalse();
            }
            Path ignore = Chart.repoRoot().resolve("deploy").resolve(name + ".Dockerfile.dockerignore");
            assertThat(Files.readAllLines(ignore)).contains("**/target/", ".git/");
        }
    }
}
