package dev.finetune.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.finetune.api.support.Api;
import dev.finetune.api.support.ApiTestBase;
import dev.finetune.api.support.RawHttp;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The bad-input corpus ({@code bad-input-corpus.json}): every hostile or careless request a tenant
 * was seen to send, each answered with a 4xx RFC 9457 problem of the expected {@code type} and its
 * kind's fixed title, in plain words (no Java class, package or library name), and nothing stored
 * changed: the tenant's rows, the platform's tenants and models, and every object in the bucket.
 *
 * <p>Requests go out over a plain socket ({@link RawHttp}) so that the malformed ones reach the
 * server as sent. A row: {@code family}, {@code name}, {@code method}, {@code path} (sent as is),
 * {@code auth} ({@code admin} default, {@code operator}, {@code none}), {@code headers},
 * {@code contentType}, {@code body}, {@code latin1} (body in ISO-8859-1), {@code status},
 * {@code type} (a problem slug). {@code {{model}}}, {@code {{dataset}}}, {@code {{tenant}}} and
 * {@code {{repeat:x:n}}} are expanded in path, headers and body.
 */
class BadInputCorpusTest extends ApiTestBase {

    /** What no answer may name: Java classes and packages, exceptions, the libraries underneath. */
    private static final Pattern IMPLEMENTATION = Pattern.compile(
            "dev\\.finetune|java\\.|javax\\.|jakarta\\.|tools\\.jackson|com\\.fasterxml|org\\.springframework|org\\.apache"
                    + "|Exception|Jackson|JsonReadFeature|StreamReadFeature|StreamReadConstraints|DeserializationFeature"
                    + "|Tomcat|Spring|Hibernate|PSQL|\\bat [a-z]+\\.[a-z]+");
    private static final Pattern REPEAT = Pattern.compile("\\{\\{repeat:(.):(\\d+)}}");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ArtifactStore store;

    private TestTenant tenant;
    private String dataset;

    @BeforeEach
    void tenantWithADataset() {
        tenant = newTenant("bad-input");
        dataset = uploadDataset(tenant, "llamafactory_identity.json");
        demoModelId();
    }

    static Stream<Arguments> corpus() {
        try (InputStream in = BadInputCorpusTest.class.getResourceAsStream("/bad-input-corpus.json")) {
            JsonNode rows = Api.JSON.readTree(in);
            List<Arguments> all = new ArrayList<>();
            rows.forEach(row -> all.add(Arguments.of(Named.of(
                    row.path("family").asString() + ": " + row.path("name").asString(), row))));
            return all.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("corpus")
    void answersBadInputWithANamedProblemAndStoresNothing(JsonNode row) {
        // given
        String expectedType = ProblemKind.TYPE_BASE + row.path("type").asString();
        Stored before = stored();

        // when
        Api.Response r = send(row);

        // then
        assertThat(r.status()).as("%s: %s", row.path("name").asString(), r).isEqualTo(row.path("status").asInt());
        assertThat(r.contentType()).as("%s", r).startsWith("application/problem+json");
        JsonNode problem = r.json();
        assertThat(problem.path("type").asString()).as("%s", r).isEqualTo(expectedType);
        assertThat(problem.path("title").asString()).as("%s", r).isEqualTo(kind(expectedType).title());
        assertThat(problem.path("status").asInt()).isEqualTo(r.status());
        assertThat(problem.path("detail").asString()).as("%s", r).isNotBlank();
        Matcher leak = IMPLEMENTATION.matcher(r.body());
        assertThat(leak.find()).as("'%s' named in %s", leak.results().findFirst().map(m -> m.group()).orElse(""), r).isFalse();
        assertThat(stored()).as("nothing stored changed after %s", r).isEqualTo(before);
    }

    private Api.Response send(JsonNode row) {
        Map<String, String> headers = new LinkedHashMap<>();
        switch (row.path("auth").asString("admin")) {
            case "admin" -> headers.put("Authorization", "Bearer " + tenant.adminKey());
            case "operator" -> headers.put("Authorization", "Bearer " + Api.OPERATOR_KEY);
            case "none" -> { }
            default -> throw new IllegalArgumentException("auth " + row.path("auth"));
        }
        row.path("headers").properties().forEach(h -> headers.put(h.getKey(), expand(h.getValue().asString())));
        if (!row.path("contentType").isMissingNode()) {
            headers.put("Content-Type", row.path("contentType").asString());
        }
        byte[] body = row.path("body").isMissingNode() ? null : expand(row.path("body").asString())
                .getBytes(row.path("latin1").asBoolean(false) ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        return RawHttp.send(port, row.path("method").asString(), expand(row.path("path").asString()), headers, body);
    }

    private String expand(String text) {
        Matcher m = REPEAT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(sb);
        return sb.toString().replace("{{model}}", demoModelId()).replace("{{dataset}}", dataset).replace("{{tenant}}", tenant.id());
    }

    private static ProblemKind kind(String type) {
        return Arrays.stream(ProblemKind.values()).filter(k -> k.type().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem kind has type " + type));
    }

    /** The tenant's rows (whole, except keys whose last use moves), the platform-wide counts, the bucket's objects. */
    private record Stored(Map<String, String> rows, List<String> objects) {
    }

    private Stored stored() {
        Map<String, String> rows = new LinkedHashMap<>();
        List<String> tenantTables = jdbc.sql("""
                SELECT table_name FROM information_schema.columns
                 WHERE table_schema = current_schema() AND column_name = 'tenant_id' ORDER BY table_name""")
                .query(String.class).list();
        for (String table : tenantTables) {
            String what = table.equals("api_keys") ? "count(*)::text"
                    : "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))";
            rows.put(table, jdbc.sql("SELECT " + what + " FROM " + table + " t WHERE tenant_id = CAST(? AS uuid)")
                    .param(tenant.id()).query(String.class).single());
        }
        for (String table : List.of("tenants", "base_models", "datasets", "segments", "fine_tuning_jobs")) {
            rows.put("all " + table, jdbc.sql("SELECT count(*)::text FROM " + table).query(String.class).single());
        }
        return new Stored(rows, store.list("").stream().map(ObjectInfo::key).sorted().toList());
    }
}
