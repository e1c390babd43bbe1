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
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (binaries from the {@code io.zonky.test.postgres} artifacts) in a child
 * process. With a data directory it keeps its data across restarts (the local platform); without
 * one it uses a fresh temporary directory that is deleted on close (tests). Works as root too.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final Pattern DB_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    public static final String USER = "postgres";

    /**
     * @param dataDirectory where the cluster lives; null for a throw-away temporary one
     * @param port TCP port on 127.0.0.1; 0 picks a free one
     * @param database database to create if missing and to connect to
     */
    public record Options(Path dataDirectory, int port, String database) {

        public Options {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535");
            }
            if (database == null || !DB_NAME.matcher(database).matches()) {
                throw new IllegalArgumentException("database must match " + DB_NAME.pattern());
            }
        }

        public static Options forTests() {
            return new Options(null, 0, "finetune");
        }

        public static Options persistent(Path dataDirectory, int port) {
            return new Options(dataDirectory, port, "finetune");
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
        try {
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setPort(options.port() == 0 ? FreePort.find() : options.port())
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", options.dataDirectory() == null ? "off" : "on");
            if (options.dataDirectory() != null) {
                Files.createDirectories(options.dataDirectory());
                builder.setDataDirectory(options.dataDirectory()).setCleanDataDirectory(false);
            }
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres server = builder.start();
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

    /** Local trust authentication: any password (or none) is accepted. */
    public String password() {
        return "";
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
