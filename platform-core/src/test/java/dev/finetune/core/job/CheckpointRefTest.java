package dev.finetune.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class CheckpointRefTest {

    final JobId job = new JobId(UUID.fromString("00000000-0000-0000-0000-0000000000aa"));

    @Test
    void namesTheCheckpointAsTheApiShowsIt() {
        assertThat(new CheckpointRef(job, 40).name()).isEqualTo("00000000-0000-0000-0000-0000000000aa:step-40");
    }

    @Test
    void parsesItsOwnName() {
        CheckpointRef ref = new CheckpointRef(job, 7);
        assertThat(CheckpointRef.parse(ref.name())).contains(ref);
    }

    @Test
    void parsesNothingElse() {
        assertThat(CheckpointRef.parse(null)).isEmpty();
        assertThat(CheckpointRef.parse("support/3")).isEmpty();
        assertThat(CheckpointRef.parse("support@production")).isEmpty();
        assertThat(CheckpointRef.parse("not-a-job:step-3")).isEmpty();
        assertThat(CheckpointRef.parse(job + ":step-")).isEmpty();
        assertThat(CheckpointRef.parse(job + ":step-x")).isEmpty();
        assertThat(CheckpointRef.parse(job + ":step--1")).isEmpty();
        assertThat(CheckpointRef.parse(job + ":step-99999999999")).isEmpty();
    }
}
