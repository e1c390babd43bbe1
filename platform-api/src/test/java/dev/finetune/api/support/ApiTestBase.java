package dev.finetune.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.finetune.api.support.Api.FilePart;
import dev.finetune.api.support.Api.Response;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Shared set-up for API tests: a client, fresh tenants with keys, sample files and the demo model. */
@ApiTest
public abstract class ApiTestBase {

    private static volatile String demoModelId;

    @LocalServerPort
    protected int port;

    protected Api api;

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    /** A tenant created through the API by the operator key, with its first admin key. */
    protected TestTenant newTenant(String name) {
        Response r = api.postJson("/api/v1/tenants", Api.OPERATOR_KEY, Map.of("name", name + "-" + System.nanoTime()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return new TestTenant(r.text("id"), r.json().path("admin_key").path("key").asString());
    }

    /** A new key of the tenant with these scopes. */
    protected String key(TestTenant tenant, String... scopes) {
        Response r = api.postJson("/api/v1/api-keys", tenant.adminKey(), Map.of("name", "k", "scopes", List.of(scopes)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.text("key");
    }

    /** Uploads a sample dataset as a raw body; returns its id. */
    protected String uploadDataset(TestTenant tenant, String sample) {
        Path file = sample(sample);
        String type = sample.endsWith(".txt") ? "text/plain" : sample.endsWith(".json") ? "application/json" : "application/jsonl";
        Response r = api.postBytes("/api/v1/datasets?name=" + sample, tenant.adminKey(), type, bytes(file));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.text("id");
    }

    /** The bundled tinystories-656k checkpoint, uploaded once per test JVM as a global model by the operator. */
    protected String demoModelId() {
        if (demoModelId == null) {
            synchronized (ApiTestBase.class) {
                if (demoModelId == null) {
                    Response r = api.postMultipart("/api/v1/base-models", Api.OPERATOR_KEY,
                            Map.of("name", "tinystories-656k", "global", "true"), demoModelFiles());
                    assertThat(r.status()).as(r.toString()).isEqualTo(201);
                    demoModelId = r.text("id");
                }
            }
        }
        return demoModelId;
    }

    protected static List<FilePart> demoModelFiles() {
        try (Stream<Path> files = Files.list(samples().resolve("models/tinystories-656k"))) {
            return files.filter(p -> !p.getFileName().toString().startsWith("REFERENCE"))
                    .sorted().map(p -> FilePart.of("files", p)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static Path samples() {
        String dir = System.getProperty("samples.dir");
        return dir != null ? Path.of(dir) : Path.of("../samples");
    }

    protected static Path sample(String name) {
        return samples().resolve("datasets").resolve(name);
    }

    protected static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A minimal valid job request on the demo model. */
    protected Map<String, Object> jobRequest(String trainingFile) {
        return Map.of("model", demoModelId(), "training_file", trainingFile);
    }

    public record TestTenant(String id, String adminKey) {
    }
}
