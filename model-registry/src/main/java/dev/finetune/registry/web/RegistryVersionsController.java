package dev.finetune.registry.web;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.registry.AdapterDownload;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.registry.ArtifactFile;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** What can be done to one version: tags, archive, delete, download. */
@RestController
@RequestMapping("/api/v1/registry/repositories/{segment}/versions/{number}")
class RegistryVersionsController {

    /** How long a presigned download URL stays valid. */
    static final Duration URL_VALIDITY = Duration.ofMinutes(15);

    private final AdapterRegistry registry;

    RegistryVersionsController(AdapterRegistry registry) {
        this.registry = registry;
    }

    @PutMapping("/tags/{key}")
    AdapterVersion tag(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number,
            @PathVariable String key, @RequestBody TagRequest body) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        return Requests.valid(() -> registry.tag(submitter.tenant(), Requests.segment(segment), number, key,
                body.value()));
    }

    @DeleteMapping("/tags/{key}")
    AdapterVersion untag(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number,
            @PathVariable String key) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        return registry.untag(submitter.tenant(), Requests.segment(segment), number, key);
    }

    @PostMapping("/archive")
    AdapterVersion archive(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        return registry.archive(submitter.tenant(), Requests.segment(segment), number, Requests.actor(submitter));
    }

    @PostMapping("/unarchive")
    AdapterVersion unarchive(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        return registry.unarchive(submitter.tenant(), Requests.segment(segment), number, Requests.actor(submitter));
    }

    /** Deletes the version and its files (admin); 409 while an alias points at it. */
    @DeleteMapping
    ResponseEntity<Void> delete(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @PathVariable int number) {
        Caller admin = Requests.require(caller, ApiKeyScope.ADMIN);
        registry.delete(admin.tenant(), Requests.segment(segment), number, Requests.actor(admin));
        return ResponseEntity.noContent().build();
    }

    /** The adapter's files, each with a presigned GET URL valid for 15 minutes. */
    @GetMapping("/files")
    List<ArtifactFile> files(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @PathVariable int number) {
        return download(caller, segment, number).files(URL_VALIDITY);
    }

    /**
     * Streams the whole adapter as a zip, or with {@code file} that one file. Written on the request
     * thread rather than as an async {@code StreamingResponseBody}, so it needs nothing from the
     * security setup on async dispatches; a missing version is a 404 before any byte is written.
     */
    @GetMapping("/download")
    void download(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number,
            @RequestParam(required = false) String file, HttpServletResponse response) throws IOException {
        AdapterDownload download = download(caller, segment, number);
        if (file != null) {
            long size = download.size(file);
            String name = file.substring(file.lastIndexOf('/') + 1);
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setContentLengthLong(size);
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString());
            try (InputStream in = download.open(file)) {
                in.transferTo(response.getOutputStream());
            }
            return;
        }
        String name = segment + "-v" + number + ".zip";
        response.setContentType("application/zip");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString());
        download.writeZip(response.getOutputStream());
    }

    private AdapterDownload download(Caller caller, String segment, int number) {
        Caller reader = Requests.require(caller, ApiKeyScope.READ);
        AdapterDownload download = registry.download(reader.tenant(), Requests.segment(segment), number);
        if (download.files(null).isEmpty()) {
            throw new PlatformProblem(ProblemKind.NOT_FOUND, "the files of " + download.version().ref() + " are gone")
                    .with("resource", "artifact");
        }
        return download;
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TagRequest(String value) {
    }
}
