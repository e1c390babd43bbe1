package dev.finetune.registry;

import javax.sql.DataSource;

import dev.finetune.core.config.CoreAutoConfiguration;
import dev.finetune.core.job.CompletionOutbox;
import dev.finetune.core.storage.ArtifactStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The registry's beans: the {@link AdapterRegistry} facade and {@link JobCompletions}, the consumer
 * of the completion outbox that registers a version for every succeeded job. An auto-configuration
 * rather than component scan, so the API and the worker get the same wiring whatever packages they
 * scan. Its tables come with its own migrations, {@code db/migration/registry/} in this jar, which
 * Flyway's default location ({@code classpath:db/migration}, scanned recursively) runs with
 * platform-core's.
 */
@AutoConfiguration(after = CoreAutoConfiguration.class,
        afterName = "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration")
@ConditionalOnBean({DataSource.class, ArtifactStore.class})
@EnableConfigurationProperties(CompletionProperties.class)
public class RegistryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Registrations adapterRegistrations(DataSource dataSource, PlatformTransactionManager transactions, ArtifactStore store) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        return new Registrations(jdbc, new Repositories(jdbc), new Versions(jdbc), store, new TransactionTemplate(transactions));
    }

    @Bean
    @ConditionalOnMissingBean
    JobCompletions jobCompletions(CompletionOutbox outbox, Registrations registrations,
            PlatformTransactionManager transactions, CompletionProperties properties) {
        TransactionTemplate tx = new TransactionTemplate(transactions);
        tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        return new JobCompletions(outbox, registrations, tx, properties);
    }

    @Bean
    @ConditionalOnMissingBean
    AdapterRegistry adapterRegistry(Registrations registrations, DataSource dataSource,
            PlatformTransactionManager transactions, ArtifactStore store) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        TransactionTemplate tx = new TransactionTemplate(transactions);
        Repositories repositories = new Repositories(jdbc);
        Versions versions = new Versions(jdbc);
        Aliases aliases = new Aliases(jdbc);
        return new AdapterRegistry(registrations, new Catalog(repositories, versions, aliases, store, tx),
                new Promotions(repositories, versions, aliases, tx), repositories, versions, aliases, store);
    }

    @Bean
    @ConditionalOnMissingBean
    TaskEvaluations taskEvaluations(DataSource dataSource, AdapterRegistry registry) {
        return new TaskEvaluations(JdbcClient.create(dataSource), registry);
    }
}
