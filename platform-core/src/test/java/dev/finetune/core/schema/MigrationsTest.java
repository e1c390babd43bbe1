package dev.finetune.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.finetune.core.testing.RealInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

@SpringBootTest
@RealInfrastructure
class MigrationsTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void appliesEveryMigrationOnStartup() {
        // given a fresh PostgreSQL and the application context started against it

        // when
        List<String> failed = jdbc.queryForList(
                "SELECT version FROM flyway_schema_history WHERE NOT success", String.class);
        Integer applied = jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE success", Integer.class);

        // then
        assertThat(failed).isEmpty();
        assertThat(applied).isPositive();
    }

    @Test
    void createsAllCoreTables() {
        // when
        List<String> tables = jdbc.queryForList(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", String.class);

        // then
        assertThat(tables).contains("tenants", "segments", "api_keys", "datasets", "base_models",
                "fine_tuning_jobs", "job_events", "job_metrics", "job_checkpoints");
    }

    @Test
    void runsOnPostgresql17() {
        // when
        String version = jdbc.queryForObject("SHOW server_version", String.class);

        // then
        assertThat(version).startsWith("17.");
    }

    @Test
    void indexesTheQueueQuery() {
        // when
        List<String> indexes = jdbc.queryForList(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'fine_tuning_jobs'", String.class);

        // then
        assertThat(indexes).contains("ix_jobs_queue", "ix_jobs_lease");
    }
}
