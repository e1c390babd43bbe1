package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The ops guides cover what the issue asks and keep the variable list in step with the checks. */
class OpsDocsTest {

    @Test
    void deployReadmeTablesEveryVariableTheAppsRead() throws Exception {
        List<String> rows = Files.readAllLines(Chart.repoRoot().resolve("deploy/README.md")).stream()
                .filter(line -> line.startsWith("| `")).toList();

        assertThat(AppEnvironment.all()).allSatisfy(name ->
                assertThat(rows).as("a table row for %s", name).anyMatch(row -> row.startsWith("| `" + name + "` |")));
    }

    @Test
    void guidesCoverInstallUpgradeScalingGpuPoolsKeyRotationAndBackups() throws Exception {
        String deploy = Files.readString(Chart.repoRoot().resolve("deploy/README.md"));
        String helm = Files.readString(Chart.repoRoot().resolve("helm/README.md"));

        assertThat(deploy).contains("## Build the images", "docker compose -f deploy/compose.yaml up",
                "## Scale workers", "## GPU node pools", "## Rotate credentials", "## Back up and restore",
                "pg_dump", "mc mirror", "pg_restore");
        assertThat(helm).contains("## Install", "## Upgrade", "## Scale workers", "## GPU node pools",
                "## Rotate keys", "## Back up", "terminationGracePeriodSeconds", "finetune_queue_depth",
                "existingSecret");
    }

    /**
     * What the worker does on SIGTERM (WorkerLoop.stop, ActiveJob.requestStop, TrainTasklet.runSlice):
     * it leaves the slice after the optimizer step in progress, checkpoints and releases its lease.
     * An older wording said it finishes the slice; none of the guides or the code's docs may say so.
     */
    static final Pattern FINISHES_THE_SLICE = Pattern.compile(
            "(?<!not )finish(es)? (its|the) (current )?slice|slice (in progress )?(to )?finish|current slice to (checkpoint|end)"
                    + "|slice outlives|lets the current slice");

    static final List<String> SIGTERM_DOCS = List.of("deploy/README.md", "helm/README.md", "trainer-worker/README.md",
            "trainer-worker/src/main/java/dev/finetune/worker/loop/WorkerLoop.java",
            "trainer-worker/src/main/java/dev/finetune/worker/WorkerProperties.java");

    @Test
    void everyGuideSaysSigtermStopsTheJobAfterTheStepInProgressAsTheWorkerDoes() throws Exception {
        List<String> others = List.of("deploy/compose.yaml", "helm/finetune/values.yaml", "helm/finetune/values-gpu.yaml",
                "helm/finetune/templates/worker-deployments.yaml", "helm/finetune/templates/worker-scaledobject.yaml",
                "trainer-worker/src/main/java/dev/finetune/worker/batch/TrainTasklet.java",
                "trainer-worker/src/main/resources/dev/finetune/worker/worker-defaults.properties");
        for (String file : SIGTERM_DOCS) {
            String text = Files.readString(Chart.repoRoot().resolve(file)).replaceAll("\\s*\\n\\s*(\\* )?", " ");
            assertThat(text).as(file).contains("after the optimizer step in progress");
            assertThat(FINISHES_THE_SLICE.matcher(text).find()).as("%s says the worker finishes its slice", file).isFalse();
        }
        for (String file : others) {
            String text = Files.readString(Chart.repoRoot().resolve(file)).replaceAll("\\s*\\n\\s*(#|\\*)?\\s*", " ");
            assertThat(FINISHES_THE_SLICE.matcher(text).find()).as("%s says the worker finishes its slice", file).isFalse();
        }
    }
}
