package dev.finetune.api.openai;

import java.util.List;
import java.util.UUID;

import dev.finetune.api.dataset.DatasetFiles;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
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
 * OpenAI's {@code /v1/files} over the tenant's datasets ({@link DatasetFiles}, as
 * {@code /api/v1/datasets}): a multipart upload with {@code purpose=fine-tune} is validated record by
 * record before anything is stored (a bad file is a 422 whose {@code error} lists the bad records by
 * {@code line} and {@code field}), then listed, read, downloaded and deleted.
 */
@RestController
@RequestMapping("/v1/files")
@Tag(name = "OpenAI-compatible files", description = "OpenAI's /v1/files over the tenant's datasets (purpose fine-tune)")
class OpenAiFilesController {

    private final DatasetFiles files;

    OpenAiFilesController(DatasetFiles files) {
        this.files = files;
    }

    @Operation(operationId = "openaiCreateFile", summary = "Upload a fine-tuning file (OpenAI files.create)",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                    schema = @Schema(implementation = UploadForm.class),
                    encoding = @Encoding(name = "file", contentType = "application/octet-stream"))))
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    OpenAiFile create(@AuthenticationPrincipal Caller caller, @Parameter(hidden = true) HttpServletRequest request) {
        try {
            return OpenAiFile.of(files.uploadMultipart(caller, request, OpenAiFilesController::checkForm));
        } catch (PlatformProblem e) {
            // OpenAI's error names the request field at fault: the file (its records are in "errors")
            throw e.kind() == ProblemKind.INVALID_DATASET && !e.properties().containsKey("param") ? e.with("param", "file") : e;
        }
    }

    /** The form OpenAI's SDKs send; {@code name} and {@code format} are this platform's extensions. */
    @Schema(name = "OpenAiFileUploadForm", requiredProperties = {"file", "purpose"})
    record UploadForm(@Schema(type = "string", format = "binary") String file,
            @Schema(allowableValues = OpenAiFile.PURPOSE) String purpose, String name,
            @Schema(allowableValues = {"chat", "instruction", "completion", "sharegpt", "text"}) String format) {
    }

    private static void checkForm(String purpose, List<String> otherParts) {
        if (purpose == null || purpose.isBlank()) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "multipart field 'purpose' is required; send fine-tune")
                    .with("param", "purpose");
        }
        if (!purpose.trim().equals(OpenAiFile.PURPOSE)) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "purpose '" + purpose.trim()
                    + "' is not supported; this platform keeps fine-tuning files only: send fine-tune")
                    .with("param", "purpose");
        }
        if (!otherParts.isEmpty()) {
            String part = otherParts.get(0);
            throw new PlatformProblem(ProblemKind.VALIDATION, "multipart field '" + part + "' is not supported here"
                    + " (files do not expire; accepted: file, purpose, name, format)").with("param", part);
        }
    }

    @Operation(operationId = "openaiListFiles", summary = "List files, newest first (OpenAI files.list)")
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    OpenAiList<OpenAiFile> list(@AuthenticationPrincipal Caller caller,
            @Parameter(description = "the id of the last file of the previous page") @RequestParam(required = false) String after,
            @Parameter(description = "1 to 100, default 100") @RequestParam(required = false) Integer limit,
            @Parameter(description = "desc only: files are listed newest first",
                    schema = @Schema(allowableValues = "desc")) @RequestParam(required = false) String order,
            @Parameter(description = "only fine-tune files exist here; another purpose lists none")
            @RequestParam(required = false) String purpose) {
        if (order != null && !order.equals("desc")) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "order '" + order
                    + "' is not supported; files are listed newest first (desc)").with("param", "order");
        }
        int max = Ids.limit(limit, 100, 100);
        UUID cursor = Ids.cursor(after, "after");
        if (purpose != null && !purpose.equals(OpenAiFile.PURPOSE)) {
            files.page(caller, cursor, max); // the same scope check and cursor look-up as a real page
            return new OpenAiList<>("list", List.of(), false, null, null);
        }
        List<OpenAiFile> rows = files.page(caller, cursor, max).stream().map(OpenAiFile::of).toList();
        return OpenAiList.fromOverfetch(rows, max, OpenAiFile::id);
    }

    @Operation(operationId = "openaiRetrieveFile", summary = "Get a file (OpenAI files.retrieve)")
    @GetMapping(value = "/{fileId}", produces = MediaType.APPLICATION_JSON_VALUE)
    OpenAiFile retrieve(@AuthenticationPrincipal Caller caller, @PathVariable String fileId) {
        return OpenAiFile.of(files.get(caller, Ids.parse(fileId, "file")));
    }

    @Operation(operationId = "openaiDeleteFile", summary = "Delete a file (OpenAI files.delete)",
            description = "409 while an unfinished job uses the file, and while finished jobs' lineage keeps it.")
    @DeleteMapping(value = "/{fileId}", produces = MediaType.APPLICATION_JSON_VALUE)
    OpenAiFile.Deleted delete(@AuthenticationPrincipal Caller caller, @PathVariable String fileId) {
        UUID id = Ids.parse(fileId, "file");
        files.delete(caller, id);
        return new OpenAiFile.Deleted(id.toString(), "file", true);
    }

    @Operation(operationId = "openaiDownloadFile", summary = "Download a file's bytes (OpenAI files.content)",
            responses = @ApiResponse(responseCode = "200", description = "The file as uploaded", content = {
                    @Content(mediaType = "application/jsonl", schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string", format = "binary"))}))
    @GetMapping("/{fileId}/content")
    ResponseEntity<StreamingResponseBody> content(@AuthenticationPrincipal Caller caller, @PathVariable String fileId) {
        return files.content(caller, Ids.parse(fileId, "file"));
    }
}
