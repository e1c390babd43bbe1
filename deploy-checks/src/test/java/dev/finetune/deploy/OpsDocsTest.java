package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;

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
}
