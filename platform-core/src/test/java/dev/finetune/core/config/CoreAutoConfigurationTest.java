package dev.finetune.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.core.queue.JobQueue;
import dev.finetune.core.queue.QueueProperties;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.StorageProperties;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.SharedInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

@SpringBootTest(properties = "spring.jpa.hibernate.ddl-auto=validate")
@RealInfrastructure
class CoreAutoConfigurationTest {

    @Autowired
    ApplicationContext context;

    @Test
    void wiresQueueAndStoreFromPropertiesAndEntitiesMatchTheSchema() {
        // given a Boot application with only auto-configuration, Hibernate validating every mapping

        // when
        StorageProperties storage = context.getBean(StorageProperties.class);
        QueueProperties queue = context.getBean(QueueProperties.class);

        // then
        assertThat(context.getBean(JobQueue.class)).isNotNull();
        assertThat(context.getBean(ArtifactStore.class).bucket()).isEqualTo(SharedInfrastructure.BUCKET);
        assertThat(storage.endpoint()).isEqualTo(SharedInfrastructure.s3().endpoint());
        assertThat(storage.toString()).doesNotContain(SharedInfrastructure.SECRET_KEY);
        assertThat(queue.lease()).hasSeconds(60);
        assertThat(queue.maxAttempts()).isEqualTo(3);
    }
}
