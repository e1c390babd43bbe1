package dev.finetune.core.testing;

import dev.finetune.localinfra.EmbeddedPostgres;
import dev.finetune.localinfra.S3ProxyServer;
import dev.finetune.core.storage.StorageProperties;

/**
 * One PostgreSQL and one S3Proxy per test JVM, started on first use and stopped by their shutdown
 * hooks. A start failure fails the test: nothing here ever skips.
 */
public final class SharedInfrastructure {

    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-0123456789";
    public static final String BUCKET = "finetune-test";

    private static EmbeddedPostgres postgres;
    private static S3ProxyServer s3;

    private SharedInfrastructure() {
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            EmbeddedPostgres started = EmbeddedPostgres.start(EmbeddedPostgres.Options.forTests());
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-postgres-stop"));
            System.out.println("[infrastructure] PostgreSQL started in " + started.startupTime().toMillis() + " ms");
            postgres = started;
        }
        return postgres;
    }

    public static synchronized S3ProxyServer s3() {
        if (s3 == null) {
            s3 = S3ProxyServer.start(S3ProxyServer.Options.inMemory(ACCESS_KEY, SECRET_KEY));
            System.out.println("[infrastructure] S3Proxy started in " + s3.startupTime().toMillis() + " ms");
        }
        return s3;
    }

    public static StorageProperties storage(String bucket) {
        return storage(bucket, null);
    }

    /** The shared server, with presigned URLs signed for {@code publicEndpoint}. */
    public static StorageProperties storage(String bucket, String publicEndpoint) {
        return new StorageProperties(s3().endpoint(), "us-east-1", bucket, ACCESS_KEY, SECRET_KEY, true, publicEndpoint);
    }

    /**
     * The shared server under another name: {@code http://localhost:<port>} where the store itself
     * is {@code http://127.0.0.1:<port>}, the same server as a client elsewhere would see it.
     */
    public static String s3ByAnotherName() {
        return s3().endpoint().replace("127.0.0.1", "localhost");
    }
}
