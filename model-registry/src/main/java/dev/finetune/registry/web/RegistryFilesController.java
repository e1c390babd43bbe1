package dev.finetune.registry.web;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.download.DownloadLinks;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.registry.AdapterDownload;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.ArtifactFile;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * A version's files: the list, each with a download {@code url} ({@link DownloadLinks}: presigned,
 * or this controller's {@code /download?file=}), and the download itself, streamed from the store.
 */
@RestController
@RequestMapping(RegistryFilesController.VERSION)
class RegistryFilesController {

    static final String VERSION = "/api/v1/registry/repositories/{segment}/versions/{number}";
    /** How long a presigned download URL stays valid. */
    static final Duration URL_VALIDITY = Duration.ofMinutes(15);
    private static final int MAX_PATH = 1024;

    private final AdapterRegistry registry;
    private final DownloadLinks links;

    RegistryFilesController(AdapterRegistry registry, DownloadLinks links) {
        this.registry = registry;
        this.links = links;
    }

    /** The adapter's files, each with a download URL (presigned ones are valid for 15 minutes). */
    @GetMapping("/files")
    List<ArtifactFile> files(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @PathVariable int number) {
        return download(caller, segment, number).files(links, URL_VALIDITY, streamingUrl(segment, number));
    }

    /**
     * Streams the whole adapter as a zip, or with {@code file} that one file, as an attachment with
     * its type and length. Written on the request thread rather than as an async
     * {@code StreamingResponseBody}, so it needs nothing from the security setup on async
     * dispatches; a missing version or file is a 404 before any byte or header is written.
     */
    @GetMapping("/download")
    void download(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number,
            @RequestParam(required = false) String file, HttpServletResponse response) throws IOException {
        AdapterDownload download = download(caller, segment, number);
        if (file != null) {
            String path = checkedPath(file);
            long size = download.size(path);
            String name = AdapterDownload.fileName(path);
            try (InputStream in = download.open(path)) {
                response.setContentType(MediaTypeFactory.getMediaType(name).orElse(MediaType.APPLICATION_OCTET_STREAM).toString());
                response.setContentLengthLong(size);
                response.setHeader(HttpHeaders.CONTENT_DISPOSITION, attachment(name));
                in.transferTo(response.getOutputStream());
            }
            return;
        }
        response.setContentType("application/zip");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, attachment(segment + "-v" + number + ".zip"));
        download.writeZip(response.getOutputStream());
    }

    private AdapterDownload download(Caller caller, String segment, int number) {
        Caller reader = Requests.require(caller, ApiKeyScope.READ);
        AdapterDownload download = registry.download(reader.tenant(), Requests.segment(segment), number);
        if (download.files().isEmpty()) {
            throw new PlatformProblem(ProblemKind.NOT_FOUND, "the files of " + download.version().ref() + " are gone")
                    .with("resource", "artifact");
        }
        return download;
    }

    /** A path relative to the adapter directory; anything else is a 400 naming {@code file}. */
    private static String checkedPath(String file) {
        boolean bad = file.isBlank() || file.length() > MAX_PATH || file.startsWith("/") || file.contains("\\")
                || file.chars().anyMatch(Character::isISOControl)
                || ("/" + file + "/").contains("/../") || ("/" + file + "/").contains("/./") || file.contains("//");
        if (bad) {
            throw new PlatformProblem(ProblemKind.VALIDATION,
                    "file must be the path of one of the version's files, relative to the adapter directory (as /files lists it)")
                    .with("param", "file").with("field", "file");
        }
        return file;
    }

    /** The absolute URL of {@code /download?file=<path>} of this version, on the host the caller used. */
    private static UnaryOperator<String> streamingUrl(String segment, int number) {
        return path -> ServletUriComponentsBuilder.fromCurrentContextPath().path(VERSION + "/download")
                .queryParam("file", "{file}").encode().buildAndExpand(segment, number, path).toUriString();
    }

    /** {@code attachment; filename="<name>"}: object keys are ASCII ({@code ObjectKeys}), so no RFC 8187 form is needed. */
    private static String attachment(String name) {
        return ContentDisposition.attachment().filename(name).build().toString();
    }
}
