package dev.finetune.localinfra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

    @Test
    void keepsDataAcrossRestartsInAPersistentDirectory(@TempDir Path dir) throws Exception {
        // given a server that wrote a row and stopped
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0))) {
            System.out.println("[pg] first start " + pg.startupTime().toMillis() + " ms");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('still here')");
            }
        }

        // when it starts again on the same directory
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0))) {
            System.out.println("[pg] restart " + pg.startupTime().toMillis() + " ms");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT v FROM kept")) {

                // then
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("still here");
            }
        }
    }
}
