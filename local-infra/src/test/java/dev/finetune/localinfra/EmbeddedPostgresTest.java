package dev.finetune.localinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

    private static final String PASSWORD = "local-secret-0123456789";

    @Test
    void keepsDataAcrossRestartsInAPersistentDirectory(@TempDir Path dir) throws Exception {
        // given a server that wrote a row and stopped
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0, PASSWORD))) {
            System.out.println("[pg] first start " + pg.startupTime().toMillis() + " ms");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('still here')");
            }
        }

        // when it starts again on the same directory
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0, PASSWORD))) {
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

    @Test
    void commitsDurablyWhenPersistentAndFastWhenThrowAway(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgres kept = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0, PASSWORD));
                EmbeddedPostgres scratch = EmbeddedPostgres.start(EmbeddedPostgres.Options.forTests())) {
            assertThat(setting(kept, "synchronous_commit")).isEqualTo("on");
            assertThat(setting(kept, "fsync")).isEqualTo("on");
            assertThat(setting(scratch, "synchronous_commit")).isEqualTo("off");
            assertThat(setting(scratch, "fsync")).isEqualTo("off");
        }
    }

    @Test
    void admitsOnlyThePasswordOnLoopbackAndHasNoUnixSocket(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0, PASSWORD))) {
            // when / then: no password and a wrong one are refused
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), pg.username(), "").close())
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), pg.username(), "wrong").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThat(setting(pg, "unix_socket_directories")).isEmpty();
            assertThat(setting(pg, "listen_addresses")).isEqualTo("localhost");
            assertThat(Files.readString(dir.resolve("pg/pg_hba.conf"))).contains("scram-sha-256").doesNotContain("trust");
        }
    }

    @Test
    void setsThePasswordOnAClusterAnOlderVersionMadeWithTrust(@TempDir Path dir) throws Exception {
        // given a cluster of an older version: trust, no password
        Path data = dir.resolve("pg");
        try (EmbeddedPostgres old = EmbeddedPostgres.start(new EmbeddedPostgres.Options(data, 0, "finetune", null));
                Connection c = DriverManager.getConnection(old.jdbcUrl(), old.username(), "");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (v text)");
        }

        // when this version starts it with a password
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, 0, PASSWORD))) {
            // then the data is there with the password, and trust is gone
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), PASSWORD);
                    ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM kept")) {
                assertThat(rs.next()).isTrue();
            }
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), pg.username(), "").close())
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void stopsAServerLeftRunningOnItsDirectoryByAKilledPlatform(@TempDir Path dir) throws Exception {
        // given a platform JVM that started PostgreSQL on the directory and was killed with SIGKILL
        Path data = dir.resolve("pg");
        Process platform = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KilledPlatform.class.getName(), data.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("killed-platform.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.exists(dir.resolve("killed-platform.log"))
                || !Files.readString(dir.resolve("killed-platform.log")).contains(KilledPlatform.READY)) {
            assertThat(platform.isAlive()).as("the platform JVM runs").isTrue();
            assertThat(System.nanoTime()).as("the platform JVM started PostgreSQL in time").isLessThan(deadline);
            Thread.sleep(200);
        }
        platform.destroyForcibly().waitFor();
        long orphan = StalePostmaster.pid(data).orElseThrow();
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("the orphan postmaster").hasValue(true);

        // when the platform starts again
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, 0, PASSWORD))) {
            // then the orphan is gone and the new server serves the directory
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(StalePostmaster.pid(data)).isPresent().isNotEqualTo(java.util.Optional.of(orphan));
            assertThat(setting(pg, "synchronous_commit")).isEqualTo("on");
        }
    }

    @Test
    void removesAPidFileWhoseProcessIsNotOurPostgres(@TempDir Path dir) throws Exception {
        // given a pid file naming a live process that is no postgres (this JVM: a reused pid)
        Path data = Files.createDirectories(dir.resolve("pg"));
        Files.writeString(data.resolve(StalePostmaster.PID_FILE), ProcessHandle.current().pid() + "\n" + data + "\n");

        // when
        boolean stopped = StalePostmaster.stopIfRunning(data);

        // then nothing was stopped and the stale file is gone
        assertThat(stopped).isFalse();
        assertThat(data.resolve(StalePostmaster.PID_FILE)).doesNotExist();
    }

    /** A platform's JVM in miniature: starts PostgreSQL on a directory and waits to be killed. */
    static final class KilledPlatform {
        static final String READY = "postgres-ready";

        public static void main(String[] args) throws Exception {
            EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(Path.of(args[0]), 0, PASSWORD));
            System.out.println(READY);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static String setting(EmbeddedPostgres pg, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                ResultSet rs = c.createStatement().executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
