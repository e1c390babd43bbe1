/**
 * Real servers without Docker, for the one-command local platform and the tests:
 * {@link dev.finetune.localinfra.EmbeddedPostgres} runs PostgreSQL 17 from binaries shipped in a
 * Maven artifact (zonky), with a persistent or throw-away data directory, and
 * {@link dev.finetune.localinfra.S3ProxyServer} runs S3Proxy from its self-contained jar as a child
 * process (never on this classpath), with a filesystem or in-memory backend. Both stop on
 * {@code close()} and from a JVM shutdown hook. No server deployable (API, worker) depends on this
 * module.
 */
package dev.finetune.localinfra;
