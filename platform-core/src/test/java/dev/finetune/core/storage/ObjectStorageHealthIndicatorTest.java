package dev.finetune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.time.Duration;

import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.SharedInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

@RealInfrastructure
class ObjectStorageHealthIndicatorTest {

    @Test
    void isUpWhenTheStoreAnswersThatTheBucketExists() {
        try (ArtifactStore store = new ArtifactStore(SharedInfrastructure.storage("health-up"))) {
            var health = new ObjectStorageHealthIndicator(store, Duration.ofSeconds(3)).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("bucket", "health-up");
        }
    }

    @Test
    void isDownWhenTheBucketIsMissing() {
        var props = SharedInfrastructure.storage("health-missing");
        var noCreate = new StorageProperties(props.endpoint(), props.region(), "health-never-made", props.accessKey(),
                props.secretKey(), false, null);
        try (ArtifactStore store = new ArtifactStore(noCreate)) {
            var health = new ObjectStorageHealthIndicator(store, Duration.ofSeconds(3)).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("reason", "the bucket does not exist");
        }
    }

    @Test
    void isDownWithinItsTimeoutWhenTheStoreAcceptsButNeverAnswers() throws Exception {
        // given a port that accepts connections and says nothing, like a hung store
        try (ServerSocket silent = new ServerSocket(0)) {
            var props = new StorageProperties("http://127.0.0.1:" + silent.getLocalPort(), "us-east-1", "health-hung",
                    "ak", "sk-secret", false, null);
            try (ArtifactStore store = new ArtifactStore(props)) {
                // when
                long t0 = System.nanoTime();
                var health = new ObjectStorageHealthIndicator(store, Duration.ofMillis(300)).health();

                // then it answers DOWN, and does not wait for the client's own (minutes-long) timeouts
                assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                assertThat(health.getDetails().get("reason").toString()).contains("no answer within 300 ms");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void isDownNamingTheFailureWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var props = new StorageProperties("http://127.0.0.1:" + port, "us-east-1", "health-refused", "ak", "sk-secret", false, null);
        try (ArtifactStore store = new ArtifactStore(props)) {
            var health = new ObjectStorageHealthIndicator(store, Duration.ofSeconds(3)).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails().get("reason").toString()).contains("Connection refused");
        }
    }
}
