package dev.finetune.api.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.common.Checks;
import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.settings.DatasetFormat;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Limit;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.util.MultiValueMap;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * What both surfaces do with dataset files, once: the native {@code /api/v1/datasets} and the
 * OpenAI-compatible {@code /v1/files} upload (validated record by record before anything is stored,
 * {@link DatasetUploads}), page, read, download and delete through here, with the caller's scope
 * checked and its tenant applied.
 */
@Component
public class DatasetFiles {

    private static final EnumSet<JobStatus> ACTIVE = EnumSet.of(JobStatus.VALIDATING_FILES, JobStatus.QUEUED,
            JobStatus.RUNNING, JobStatus.CANCELLING);

    private final DatasetRepository datasets;
    private final DatasetQueries queries;
    private final DatasetUploads uploads;
    private final ArtifactStore store;
    private final DatasetProperties properties;
    private final JdbcClient jdbc;

    DatasetFiles(DatasetRepository datasets, DatasetQueries queries, DatasetUploads uploads, ArtifactStore store,
            DatasetProperties properties, JdbcClient jdbc) {
        this.datasets = datasets;
        this.queries = queries;
        this.uploads = uploads;
        this.store = store;
        this.properties = properties;
        this.jdbc = jdbc;
    }

    /** What a multipart form carried besides the file, for the caller to judge before anything is validated or stored. */
    public interface FormCheck {
        /** @param purpose the {@code purpose} field or query parameter, or null; @param otherParts unused parts' names */
        void check(String purpose, List<String> otherParts);
    }

    /** A raw body (JSONL, JSON, text) with {@code ?name=&format=}. */
    public Dataset uploadBody(Caller caller, String name, String format, HttpServletRequest request) throws IOException {
        caller.require(ApiKeyScope.SUBMIT);
        DatasetFormat requested = parseFormat(format);
        long max = properties.maxUploadSize().toBytes();
        if (request.getContentLengthLong() > max) {
            throw StagedUpload.tooLarge(max);
        }
        boolean plainText = MediaType.TEXT_PLAIN.isCompatibleWith(MediaType.parseMediaType(request.getContentType()));
        String extension = extension(requested, plainText, name, request.getContentType());
        return store(caller, displayName(name, null), requested, request.getInputStream(), extension);
    }

    /**
     * A multipart upload: part {@code file}, with {@code name}, {@code format} (and {@code purpose},
     * which {@code formCheck} judges before anything is validated or stored) as form fields or query
     * parameters. Read as a stream ({@link MultipartDatasetUpload}); the query is parsed here rather
     * than by the container, which would parse (and spool) every part first.
     */
    public Dataset uploadMultipart(Caller caller, HttpServletRequest request, FormCheck formCheck) {
        caller.require(ApiKeyScope.SUBMIT);
        MultiValueMap<String, String> query = UriComponentsBuilder.newInstance()
                .query(request.getQueryString()).build().getQueryParams();
        long max = properties.maxUploadSize().toBytes();
        if (request.getContentLengthLong() > max + MultipartDatasetUpload.OVERHEAD_BYTES) {
            throw StagedUpload.tooLarge(max);
        }
        MultipartDatasetUpload form = MultipartDatasetUpload.read(request, max, ".jsonl");
        try (StagedUpload staged = form.staged()) {
            String purpose = first(form.purpose(), decoded(query.getFirst("purpose")));
            formCheck.check(purpose, form.otherParts());
            String name = first(form.name(), decoded(query.getFirst("name")));
            DatasetFormat requested = parseFormat(first(form.format(), decoded(query.getFirst("format"))));
            String original = form.fileName();
            boolean plainText = original != null && original.toLowerCase(Locale.ROOT).endsWith(".txt");
            String extension = extension(requested, plainText, original, form.contentType());
            try (StagedUpload upload = staged.withSuffix(extension)) {
                Dataset saved = uploads.accept(caller.tenant(), displayName(name, original), requested, upload, extension);
                return saved;
            }
        }
    }

    /** Up to {@code limit + 1} of the tenant's files, newest first, after the file {@code after} (null: from the newest). */
    public List<Dataset> page(Caller caller, UUID after, int limit) {
        caller.require(ApiKeyScope.READ);
        UUID tenant = caller.tenant().value();
        if (after == null) {
            return queries.firstPage(tenant, Limit.of(limit + 1));
        }
        Dataset cursor = find(caller, after);
        return queries.pageAfter(tenant, cursor.createdAt(), cursor.id().value(), Limit.of(limit + 1));
    }

    public Dataset get(Caller caller, UUID id) {
        caller.require(ApiKeyScope.READ);
        return find(caller, id);
    }

    /** The stored bytes, opened before the status is sent (a store that is down is a clean 503). */
    public ResponseEntity<StreamingResponseBody> content(Caller caller, UUID datasetId) {
        caller.require(ApiKeyScope.READ);
        Dataset dataset = find(caller, datasetId);
        MediaType type = switch (dataset.objectKey().substring(dataset.objectKey().lastIndexOf('.'))) {
            case ".txt" -> MediaType.TEXT_PLAIN;
            case ".json" -> MediaType.APPLICATION_JSON;
            default -> MediaType.parseMediaType("application/jsonl");
        };
        // opened before the status and Content-Length are sent: a store that is down is a clean 503
        // problem, not a 200 whose body breaks off
        InputStream opened = store.get(dataset.objectKey());
        StreamingResponseBody body = out -> {
            try (InputStream in = opened) {
                in.transferTo(out);
            }
        };
        return ResponseEntity.ok()
                .contentType(type)
                .contentLength(dataset.sizeBytes())
                .eTag("\"" + dataset.sha256() + "\"")
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(dataset.name(), StandardCharsets.UTF_8).build().toString())
                .body(body);
    }

    /** Refused (409) while an unfinished job uses the file, and while finished jobs' lineage keeps it. */
    public void delete(Caller caller, UUID datasetId) {
        caller.require(ApiKeyScope.SUBMIT);
        Dataset dataset = find(caller, datasetId);
        long active = queries.countJobsUsing(caller.tenant().value(), datasetId, ACTIVE);
        if (active > 0) {
            throw new PlatformProblem(ProblemKind.CONFLICT, "dataset " + datasetId + " is used by " + active
                    + " job(s) that have not finished; cancel them or wait").with("activeJobs", active);
        }
        try {
            jdbc.sql("DELETE FROM datasets WHERE tenant_id = :tenant AND id = :id")
                    .param("tenant", caller.tenant().value()).param("id", datasetId).update();
        } catch (DataIntegrityViolationException e) {
            throw new PlatformProblem(ProblemKind.CONFLICT, "dataset " + datasetId
                    + " is the training or validation file of finished jobs, whose lineage keeps it");
        }
        store.delete(dataset.objectKey());
    }

    private Dataset store(Caller caller, String name, DatasetFormat requested, InputStream body, String extension) {
        try (StagedUpload upload = StagedUpload.copy(body, properties.maxUploadSize().toBytes(), extension)) {
            return uploads.accept(caller.tenant(), name, requested, upload, extension);
        }
    }

    private Dataset find(Caller caller, UUID id) {
        return datasets.find(caller.tenant(), new DatasetId(id)).orElseThrow(() -> PlatformProblem.notFound("dataset", id));
    }

    private static String first(String formField, String queryParameter) {
        return formField != null ? formField : queryParameter;
    }

    private static String decoded(String queryValue) {
        return queryValue == null ? null : URLDecoder.decode(queryValue, StandardCharsets.UTF_8);
    }

    private static DatasetFormat parseFormat(String format) {
        if (format == null || format.isBlank()) {
            return null;
        }
        try {
            return DatasetFormat.fromWire(format.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PlatformProblem(ProblemKind.VALIDATION, e.getMessage()).with("param", "format");
        }
    }

    /** {@code .txt} makes the reader treat the file as one raw text; JSON arrays are recognised by content. */
    private static String extension(DatasetFormat requested, boolean plainText, String name, String contentType) {
        if (plainText && (requested == null || requested == DatasetFormat.TEXT)) {
            return ".txt";
        }
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".json") || (contentType != null && contentType.startsWith(MediaType.APPLICATION_JSON_VALUE))) {
            return ".json";
        }
        return ".jsonl";
    }

    private static String displayName(String name, String original) {
        boolean named = name != null && !name.isBlank();
        String chosen = named ? name.trim() : original != null && !original.isBlank() ? original : "dataset";
        if (Checks.hasControlCharacter(chosen)) {
            String param = named ? "name" : "file";
            throw new PlatformProblem(ProblemKind.VALIDATION, (named ? "name " : "the file name of part 'file' ")
                    + Checks.NO_CONTROL_CHARACTERS_MESSAGE).with("param", param);
        }
        if (chosen.length() > 255) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "name must be at most 255 characters").with("param", "name");
        }
        return chosen;
    }
}
