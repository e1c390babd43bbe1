package dev.finetune.api.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.finetune.api.support.Api;
import dev.finetune.api.support.Api.FilePart;
import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import dev.finetune.core.storage.ArtifactStore;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class DatasetUploadTest extends ApiTestBase {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    ArtifactStore store;

    TestTenant tenant;

    @BeforeEach
    void tenant() {
        tenant = newTenant("datasets");
    }

    @ParameterizedTest
    @CsvSource({
        "llamafactory_identity.json, application/json, instruction, 91",
        "glaive_toolcall_40.json,    application/json, sharegpt,    40",
        "tinyshakespeare_120k.txt,   text/plain,       text,        1"})
    void storesAValidSampleWithItsRowsAndSha256(String sample, String contentType, String format, int rows) throws Exception {
        // given
        byte[] content = bytes(sample(sample));

        // when
        Response r = api.postBytes("/api/v1/datasets?name=" + sample, tenant.adminKey(), contentType, content);

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.location()).endsWith("/api/v1/datasets/" + r.text("id"));
        JsonNode body = r.json();
        assertThat(body.path("format").asString()).isEqualTo(format);
        assertThat(body.path("rows").asInt()).isEqualTo(rows);
        assertThat(body.path("sha256").asString()).isEqualTo(DigestUtils.sha256Hex(content));
        assertThat(body.path("bytes").asLong()).isEqualTo(content.length);
        assertThat(body.path("estimated_tokens").asLong()).isPositive();
        Response download = api.get("/api/v1/datasets/" + r.text("id") + "/content", tenant.adminKey());
        assertThat(download.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(content);
    }

    @Test
    void acceptsAMultipartUploadOfJsonLines() {
        // given
        byte[] jsonl = identityAsJsonLines();

        // when
        Response r = api.postMultipart("/api/v1/datasets", tenant.adminKey(), Map.of("format", "instruction"),
                List.of(new FilePart("file", "identity.jsonl", jsonl)));

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("name").asString()).isEqualTo("identity.jsonl");
        assertThat(r.json().path("rows").asInt()).isEqualTo(91);
    }

    @Test
    void rejectsATruncatedJsonLineNamingItsLineAndStoresNothing() {
        // given: line 5 cut in the middle
        List<String> lines = identityLines();
        lines.set(4, lines.get(4).substring(0, lines.get(4).length() / 2));

        // when / then
        Response r = rejectedWithNothingStored(() -> upload(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
        JsonNode error = r.json().path("errors").get(0);
        assertThat(error.path("line").asInt()).isEqualTo(5);
        assertThat(error.path("message").asString()).contains("JSON");
    }

    @Test
    void rejectsARecordWithAMissingKeyNamingLineAndField() {
        // given: line 7 has no "output"
        List<String> lines = identityLines();
        lines.set(6, "{\"instruction\": \"hi\", \"input\": \"\"}");

        // when / then
        Response r = rejectedWithNothingStored(() -> upload(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
        JsonNode error = r.json().path("errors").get(0);
        assertThat(error.path("line").asInt()).isEqualTo(7);
        assertThat(error.path("field").asString()).isEqualTo("output");
        assertThat(r.json().path("rows").asInt()).isEqualTo(91);
        assertThat(r.text("detail")).contains("line 7");
    }

    @Test
    void rejectsABadUtf8ByteNamingItsLine() {
        // given: an invalid byte inside line 3
        byte[] good = identityAsJsonLines();
        int lineStart = nthLineStart(good, 3);
        byte[] bad = good.clone();
        bad[lineStart + 20] = (byte) 0xFF;

        // when / then
        Response r = rejectedWithNothingStored(() -> upload(bad));
        JsonNode error = r.json().path("errors").get(0);
        assertThat(error.path("line").asInt()).isEqualTo(3);
        assertThat(error.path("message").asString()).containsIgnoringCase("utf-8");
    }

    @Test
    void capsTheListedErrorsAndSaysSo() {
        // given: every line lacks "output"
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add("{\"instruction\": \"q" + i + "\"}");
        }

        // when
        Response r = rejectedWithNothingStored(() -> upload(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));

        // then: the tests configure a cap of 20
        assertThat(r.json().path("errors").size()).isEqualTo(20);
        assertThat(r.json().path("errorsCapped").asBoolean()).isTrue();
    }

    @Test
    void refusesAnOversizedUploadWith413AndStoresNothing() {
        // given: 1.2 MB of real text against the tests' 1 MB limit
        byte[] text = bytes(sample("tinyshakespeare_120k.txt"));
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
            big.writeBytes(text);
        }

        // when
        Response raw = rejectedWithNothingStored(() -> api.postBytes("/api/v1/datasets?format=text", tenant.adminKey(),
                "text/plain", big.toByteArray()), 413);
        Response multipart = rejectedWithNothingStored(() -> api.postMultipart("/api/v1/datasets", tenant.adminKey(),
                Map.of(), List.of(new FilePart("file", "big.txt", big.toByteArray()))), 413);

        // then
        assertThat(raw.text("type")).isEqualTo("https://finetune.dev/problems/payload-too-large");
        assertThat(multipart.text("type")).isEqualTo("https://finetune.dev/problems/payload-too-large");
    }

    @Test
    void takesNameAndFormatFromFormFieldsAfterTheFileAsTheDashboardSendsThem() {
        // given the dashboard's order: the file part first, then name and format
        byte[] text = bytes(sample("tinyshakespeare_120k.txt"));
        String boundary = "----finetune-dashboard";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"shakespeare.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(text);
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nplays\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\ntext\r\n--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.UTF_8));

        // when
        Response r = api.postBytes("/api/v1/datasets", tenant.adminKey(), "multipart/form-data; boundary=" + boundary,
                body.toByteArray());

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("name").asString()).isEqualTo("plays");
        assertThat(r.json().path("format").asString()).isEqualTo("text");
        assertThat(r.json().path("sha256").asString()).isEqualTo(DigestUtils.sha256Hex(text));
    }

    @Test
    void cutsOffAChunkedMultipartUploadNearItsLimitInsteadOfReadingItToTheEnd() throws Exception {
        // given 20 MB in a chunked multipart body (no Content-Length to refuse up front) against the 1 MB limit
        long total = 20L * 1024 * 1024;
        long rowsBefore = datasetRows();
        int objectsBefore = store.list("tenants/").size();
        java.net.URI base = java.net.URI.create(api.base());
        String boundary = "----finetune-chunked";
        long sent = 0;
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setSendBufferSize(64 * 1024);
            socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/datasets?format=text HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAuthorization: Bearer "
                    + tenant.adminKey() + "\r\nContent-Type: multipart/form-data; boundary=" + boundary
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(head.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'a');

            // when the client keeps sending until the server stops reading
            try {
                while (sent < total) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    sent += chunk.length;
                }
            } catch (java.io.IOException closedByTheServer) {
                // expected: the server answered and closed the connection
            }
        }

        // then the server gave up a few MB in (limit + its 2 MB swallow + socket buffers), not at 20 MB, and kept nothing
        assertThat(sent).isLessThan(10L * 1024 * 1024);
        assertThat(datasetRows()).isEqualTo(rowsBefore);
        assertThat(store.list("tenants/")).hasSize(objectsBefore);
    }

    @Test
    void refusesAnUnsupportedContentTypeWith415() {
        // when
        Response r = api.postBytes("/api/v1/datasets", tenant.adminKey(), "image/png", new byte[] {1, 2, 3});

        // then
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/unsupported-media-type");
    }

    @Test
    void listsWithACursorAndDeletesTheRowAndTheObject() {
        // given
        String first = uploadDataset(tenant, "llamafactory_identity.json");
        String second = uploadDataset(tenant, "glaive_toolcall_40.json");
        String third = uploadDataset(tenant, "tinyshakespeare_120k.txt");

        // when
        Response page1 = api.get("/api/v1/datasets?limit=2", tenant.adminKey());
        Response page2 = api.get("/api/v1/datasets?limit=2&after=" + page1.text("last_id"), tenant.adminKey());

        // then
        assertThat(page1.json().path("data").findValuesAsString("id")).containsExactly(third, second);
        assertThat(page1.json().path("has_more").asBoolean()).isTrue();
        assertThat(page2.json().path("data").findValuesAsString("id")).containsExactly(first);
        assertThat(page2.json().path("has_more").asBoolean()).isFalse();

        // when
        int objectsBefore = store.list("tenants/" + tenant.id() + "/").size();
        Response deleted = api.delete("/api/v1/datasets/" + first, tenant.adminKey());

        // then
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(api.get("/api/v1/datasets/" + first, tenant.adminKey()).status()).isEqualTo(404);
        assertThat(store.list("tenants/" + tenant.id() + "/")).hasSize(objectsBefore - 1);
    }

    @Test
    void refusesToDeleteADatasetAQueuedJobUses() {
        // given
        String dataset = uploadDataset(tenant, "llamafactory_identity.json");
        Response job = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset));
        assertThat(job.status()).as(job.toString()).isEqualTo(201);

        // when
        Response r = api.delete("/api/v1/datasets/" + dataset, tenant.adminKey());

        // then
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/conflict");
        assertThat(r.json().path("activeJobs").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/datasets/" + dataset, tenant.adminKey()).status()).isEqualTo(200);
    }

    private Response upload(byte[] body) {
        return api.postBytes("/api/v1/datasets?name=damaged.jsonl&format=instruction", tenant.adminKey(),
                "application/jsonl", body);
    }

    private Response rejectedWithNothingStored(Supplier<Response> call) {
        Response r = rejectedWithNothingStored(call, 422);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/invalid-dataset");
        return r;
    }

    private Response rejectedWithNothingStored(Supplier<Response> call, int status) {
        long rowsBefore = datasetRows();
        int objectsBefore = store.list("tenants/").size();
        Response r = call.get();
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(datasetRows()).isEqualTo(rowsBefore);
        assertThat(store.list("tenants/")).hasSize(objectsBefore);
        return r;
    }

    private long datasetRows() {
        return jdbc.sql("SELECT count(*) FROM datasets").query(Long.class).single();
    }

    /** The real Alpaca identity records, one JSON object per line. */
    private static List<String> identityLines() {
        JsonNode array = Api.JSON.readTree(bytes(sample("llamafactory_identity.json")));
        List<String> lines = new ArrayList<>();
        array.forEach(record -> lines.add(Api.JSON.writeValueAsString(record)));
        return lines;
    }

    private static byte[] identityAsJsonLines() {
        return String.join("\n", identityLines()).getBytes(StandardCharsets.UTF_8);
    }

    private static int nthLineStart(byte[] content, int line) {
        int seen = 1;
        for (int i = 0; i < content.length; i++) {
            if (seen == line) {
                return i;
            }
            if (content[i] == '\n') {
                seen++;
            }
        }
        throw new IllegalArgumentException("no line " + line);
    }

}
