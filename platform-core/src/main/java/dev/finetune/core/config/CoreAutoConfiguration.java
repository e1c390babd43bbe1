package dev.finetune.core.config;

import javax.sql.DataSource;

import dev.finetune.core.download.DownloadLinks;
import dev.finetune.core.download.DownloadProperties;
import dev.finetune.core.job.CompletionOutbox;
import dev.finetune.core.job.JobOutcomeMeters;
import dev.finetune.core.json.SettingsJson;
import dev.finetune.core.progress.JobEventRepository;
import dev.finetune.core.progress.JobStatusLog;
import dev.finetune.core.queue.JobQueue;
import io.micrometer.core.instrument.MeterRegistry;
import dev.finetune.core.queue.QueueProperties;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectStorageHealthIndicator;
import dev.finetune.core.storage.StorageProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Entities, repositories, the job queue, the completion outbox, the writer of job status events,
 * the artifact store and download links of {@code platform-core}.
 */
@AutoConfiguration(
        beforeName = {
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration"},
        afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@AutoConfigurationPackage(basePackages = "dev.finetune.core")
@EnableConfigurationProperties(QueueProperties.class)
public class CoreAutoConfiguration {

    /** The training settings' enums and target modules in request and response bodies, as {@code CoreJson} stores them. */
    @Bean
    @ConditionalOnMissingBean
    SettingsJson settingsJson() {
        return new SettingsJson();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(DataSource.class)
    JobQueue jobQueue(DataSource dataSource, PlatformTransactionManager transactions, QueueProperties queue,
            ApplicationEventPublisher events) {
        return new JobQueue(JdbcClient.create(dataSource), transactions, queue.maxAttempts(), events);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(DataSource.class)
    CompletionOutbox completionOutbox(DataSource dataSource, ApplicationEventPublisher events) {
        return new CompletionOutbox(JdbcClient.create(dataSource), events);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(DataSource.class)
    JobStatusLog jobStatusLog(JobEventRepository events) {
        return new JobStatusLog(events);
    }

    @Bean
    @ConditionalOnMissingBean
    JobOutcomeMeters jobOutcomeMeters(ObjectProvider<MeterRegistry> registry) {
        return new JobOutcomeMeters(registry);
    }

    /** Own class: its bean's type needs spring-boot-health, which only applications with the actuator have. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "finetune.storage", name = "endpoint")
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class StorageHealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "objectStorageHealthIndicator")
        ObjectStorageHealthIndicator objectStorageHealthIndicator(ArtifactStore store) {
            return new ObjectStorageHealthIndicator(store, ObjectStorageHealthIndicator.DEFAULT_TIMEOUT);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "finetune.storage", name = "endpoint")
    @EnableConfigurationProperties({StorageProperties.class, DownloadProperties.class})
    static class StorageConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        ArtifactStore artifactStore(StorageProperties storage) {
            return new ArtifactStore(storage);
        }

        @Bean
        @ConditionalOnMissingBean
        DownloadLinks downloadLinks(ArtifactStore store, DownloadProperties downloads) {
            return new DownloadLinks(store, downloads);
        }
    }
}
