package dev.finetune.registry;

import javax.sql.DataSource;

import dev.finetune.core.config.CoreAutoConfiguration;
import dev.finetune.core.storage.ArtifactStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The registry's beans: the {@link AdapterRegistry} facade and the listener that registers a
 * version for every {@link FineTuningSucceeded}. An auto-configuration rather than component scan,
 * so the API and the worker get the same wiring whatever packages they scan. Its tables come with
 * its own migrations, {@code db/migration/registry/} in this jar, which Flyway's default location
 * ({@code classpath:db/migration}, scanned recursively) runs with platform-core's.
 */
@AutoConfiguration(after = CoreAutoConfiguration.class,
        afterName = "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration")
@ConditionalOnBean({DataSource.class, ArtifactStore.class})
public class RegistryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Registrations adapterRegistrations(DataSource dataSource, PlatformTransactionManager transactions, ArtifactStore store) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        return new Registrations(jdbc, new Repositories(jdbc), new Versions(jdbc), store, new TransactionTemplate(transactions));
    }

    @Bean
    WorkerCompletions workerCompletions(DataSource dataSource, ArtifactStore store, Registrations registrations) {
        return new WorkerCompletions(JdbcClient.create(dataSource), store, registrations);
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
}
