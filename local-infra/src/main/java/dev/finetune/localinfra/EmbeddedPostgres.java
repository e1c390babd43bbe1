package dev.finetune.localinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (binaries from the {@code io.zonky.test.postgres} artifacts) in a child
 * process. With a data directory it keeps its data across restarts (the local platform); without
 * one it uses a fresh temporary directory that is deleted on close (tests). Works as root too.
 *
 * <p><b>Durability.</b> A persistent cluster runs with {@code fsync=on} and
 * {@code synchronous_commit=on}: a commit it acknowledged survives a crash. A throw-away test
 * cluster runs with both off (its data dies with the test JVM anyway; it saves a disk flush per
 * commit on the shared CI machine).
 *
 * <p><b>Access.</b> It listens on loopback TCP only, with no Unix socket. With a password
 * ({@link Options#password()}, the local platform's) it admits only {@code postgres} with that
 * password (SCRAM) on loopback; a cluster made by an older version (trust) gets the password on its
 * first start with this one. Without a password (test clusters) loopback connections are trusted.
 *
 * <p><b>Stale servers.</b> A JVM killed with SIGKILL leaves its postmaster running and
 * {@code postmaster.pid} in the data directory. {@link #start} finds such a server by its pid file,
 * checks that it is a postgres serving this very directory, stops it ({@code pg_ctl stop -m fast},
 * else SIGTERM, then SIGKILL) and only then starts its own.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final Pattern DB_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    public static final String USER = "postgres";

    /**
     * @param dataDirectory where the cluster lives; null for a throw-away temporary one
     * @param port TCP port on 127.0.0.1; 0 picks a free one
     * @param database database to create if missing and to connect to
     * @param password the {@code postgres} user's password (SCRAM on loopback); null trusts every
     *         loopback connection (throw-away test clusters only). Never printed by {@link #toString()}.
     */
    public record Options(Path dataDirectory, int port, String database, String password) {

        public Options {
            if (password != null && (password.isBlank() || password.contains("'") || password.contains("\\"))) {
                throw new IllegalArgumentException("password must be non-blank, without quotes or backslashes");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535");
            }
            if (database == null || !DB_NAME.matcher(database).matches()) {
                throw new IllegalArgumentException("database must match " + DB_NAME.pattern());
            }
        }

        public static Options forTests() {
            return new Options(null, 0, "finetune", null);
        }

        /** A persistent cluster that admits the {@code postgres} user with {@code password} only. */
        public static Options persistent(Path dataDirectory, int port, String password) {
            return new Options(dataDirectory, port, "finetune", password);
        }

        @Override
        public String toString() {
            return "Options[dataDirectory=" + dataDirectory + ", port=" + port + ", database=" + database
                    + ", password=" + (password == null ? "none (trust)" : "***") + "]";
        }
    }

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final Options options;
    private final Duration startup;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Options options, Duration startup) {
        this.server = server;
        this.options = options;
        this.startup = startup;
    }

    public static EmbeddedPostgres start(Options options) {
        long t0 = System.nanoTime();
        boolean persistent = options.dataDirectory() != null;
        try {
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setPort(options.port() == 0 ? FreePort.find() : options.port())
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setServerConfig("max_connections", "100")
                    // zonky passes -F (fsync off); these -c settings come after it and win
                    .setServerConfig("fsync", persistent ? "on" : "off")
                    .setServerConfig("synchronous_commit", persistent ? "on" : "off")
                    .setServerConfig("listen_addresses", "localhost");
            if (persistent) {
                Files.createDirectories(options.dataDirectory());
                StalePostmaster.stopIfRunning(options.dataDirectory());
                builder.setDataDirectory(options.dataDirectory()).setCleanDataDirectory(false);
            }
            if (options.password() != null) {
                builder.setConnectConfig("password", options.password());
            }
            // called on every start, after initdb (on a new cluster) and before the postmaster starts
            AtomicReference<ClusterAccess> access = new AtomicReference<>();
            builder.setDataDirectoryCustomizer(dir -> access.set(ClusterAccess.configure(dir.toPath(), options.password() != null)));
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres server = builder.start();
            access.get().setPasswordIfPending(server.getPostgresDatabase(), options.password());
            createDatabaseIfMissing(server, options.database());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            log.info("PostgreSQL started on port {} in {} ms (data: {})", server.getPort(), took.toMillis(),
                    options.dataDirectory() == null ? "temporary" : options.dataDirectory());
            return new EmbeddedPostgres(server, options, took);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    private static void createDatabaseIfMissing(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, String db)
            throws IOException {
        try (Connection c = server.getPostgresDatabase().getConnection();
                PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, db);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    try (Statement create = c.createStatement()) {
                        create.execute("CREATE DATABASE " + db); // name checked against DB_NAME
                    }
                }
            }
        } catch (SQLException e) {
            throw new IOException("could not create database " + db, e);
        }
    }

    public String jdbcUrl() {
        return server.getJdbcUrl(USER, options.database());
    }

    public String username() {
        return USER;
    }

    /** The password to connect with; empty for a trusting test cluster (any password is accepted). */
    public String password() {
        return options.password() == null ? "" : options.password();
    }

    public int port() {
        return server.getPort();
    }

    public Duration startupTime() {
        return startup;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("stopping embedded PostgreSQL failed", e);
        }
    }
}
