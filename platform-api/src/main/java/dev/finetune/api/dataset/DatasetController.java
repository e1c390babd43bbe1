package dev.finetune.api.dataset;

import java.io.IOException;
import java.net.URI;
import java.util.UUID;

import dev.finetune.api.ListPage;
import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Encoding;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Datasets: streamed upload (a raw JSONL/JSON/text body, or a multipart {@code file}) that is
 * validated before anything is stored, list (newest first, cursor {@code after}), get, delete
 * (refused while a job still needs the file) and download. The work is {@link DatasetFiles}', which
 * the OpenAI-compatible {@code /v1/files} shares.
 */
@RestController
@RequestMapping("/api/v1/datasets")
@Tag(name = "Datasets", description = "Training and validation files, validated record by record at upload")
class DatasetController {

    private static final String UPLOAD = "Either the file itself as the body (application/jsonl, application/x-ndjson,"
            + " application/json for a JSON array, text/plain), with name and format as query parameters; or a multipart"
            + " form whose part 'file' holds it, with name and format as form fields or query parameters. Every record is"
            + " validated before anything is stored: a 422 invalid-dataset lists the bad records by line and field.";

    private final DatasetFiles files;

    DatasetController(DatasetFiles files) {
        this.files = files;
    }

    @Operation(operationId = "uploadDataset", summary = "Upload a dataset", description = UPLOAD,
            requestBody = @RequestBody(required = true, content = {
                    @Content(mediaType = "application/jsonl", schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = "application/x-ndjson", schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            array = @io.swagger.v3.oas.annotations.media.ArraySchema(schema = @Schema(type = "object"))),
                    @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string", format = "binary"))}),
            responses = @ApiResponse(responseCode = "201", description = "Stored; Location names it",
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = DatasetView.class))))
    @PostMapping(consumes = {"application/jsonl", "application/x-ndjson", MediaType.APPLICATION_JSON_VALUE,
            MediaType.TEXT_PLAIN_VALUE})
    ResponseEntity<DatasetView> uploadBody(@AuthenticationPrincipal Caller caller,
            @Parameter(description = "the dataset's name (default: the file name, else 'dataset')")
            @RequestParam(required = false) String name,
            @Parameter(description = "chat, instruction, completion, sharegpt or text; detected when omitted",
                    schema = @Schema(allowableValues = {"chat", "instruction", "completion", "sharegpt", "text"}))
            @RequestParam(required = false) String format,
            @Parameter(hidden = true) HttpServletRequest request) throws IOException {
        return created(files.uploadBody(caller, name, format, request));
    }

    /**
     * A multipart upload: part {@code file}, with {@code name} and {@code format} as form fields or
     * query parameters, read as a stream.
     */
    @Operation(operationId = "uploadDataset", summary = "Upload a dataset", description = UPLOAD,
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                    schema = @Schema(implementation = MultipartForm.class),
                    encoding = @Encoding(name = "file", contentType = "application/octet-stream"))),
            responses = @ApiResponse(responseCode = "201", description = "Stored; Location names it",
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = DatasetView.class))))
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<DatasetView> uploadMultipart(@AuthenticationPrincipal Caller caller,
            @Parameter(hidden = true) HttpServletRequest request) {
        return created(files.uploadMultipart(caller, request, (purpose, otherParts) -> { }));
    }

    /** The multipart form of an upload, for the OpenAPI document. */
    @Schema(name = "DatasetUploadForm", requiredProperties = "file")
    record MultipartForm(@Schema(type = "string", format = "binary") String file, String name,
            @Schema(allowableValues = {"chat", "instruction", "completion", "sharegpt", "text"}) String format) {
    }

    private static ResponseEntity<DatasetView> created(Dataset saved) {
        return ResponseEntity.created(URI.create("/api/v1/datasets/" + saved.id())).body(DatasetView.of(saved));
    }

    @Operation(operationId = "listDatasets", summary = "List datasets, newest first")
    @GetMapping
    ListPage<DatasetView> list(@AuthenticationPrincipal Caller caller,
            @Parameter(description = "the last_id of the previous page") @RequestParam(required = false) UUID after,
            @RequestParam(defaultValue = "20") @Min(1) @Max(100) int limit) {
        return ListPage.fromOverfetch(files.page(caller, after, limit), limit, DatasetView::of, d -> d.id().toString());
    }

    @Operation(operationId = "getDataset", summary = "Get a dataset")
    @GetMapping("/{datasetId}")
    DatasetView get(@AuthenticationPrincipal Caller caller, @PathVariable UUID datasetId) {
        return DatasetView.of(files.get(caller, datasetId));
    }

    @Operation(operationId = "downloadDataset", summary = "Download a dataset's bytes", responses = @ApiResponse(
            responseCode = "200", description = "The file as uploaded", content = {
                    @Content(mediaType = "application/jsonl", schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string", format = "binary"))}))
    @GetMapping("/{datasetId}/content")
    ResponseEntity<StreamingResponseBody> content(@AuthenticationPrincipal Caller caller, @PathVariable UUID datasetId) {
        return files.content(caller, datasetId);
    }

    @Operation(operationId = "deleteDataset", summary = "Delete a dataset",
            description = "409 while an unfinished job uses the file, and while finished jobs' lineage keeps it.",
            responses = @ApiResponse(responseCode = "204", description = "Deleted"))
    @DeleteMapping("/{datasetId}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal Caller caller, @PathVariable UUID datasetId) {
        files.delete(caller, datasetId);
        return ResponseEntity.noContent().build();
    }
}
