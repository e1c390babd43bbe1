package dev.finetune.api.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * An upload copied to a local temporary file while its SHA-256 and size are computed, so that it
 * can be validated before anything is stored. Copying stops as soon as the limit is passed.
 * Close it to delete the file.
 */
final class StagedUpload implements AutoCloseable {

    private final Path file;
    private final String sha256;
    private final long size;

    private StagedUpload(Path file, String sha256, long size) {
        this.file = file;
        this.sha256 = sha256;
        this.size = size;
    }

    /** @param suffix the temporary file's suffix ({@code .txt} makes the reader treat it as raw text) */
    static StagedUpload copy(InputStream in, long maxBytes, String suffix) {
        Path file;
        try {
            file = Files.createTempFile("dataset-upload-", suffix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for an upload", e);
        }
        MessageDigest digest = DigestUtils.getSha256Digest();
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) != -1) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new PlatformProblem(ProblemKind.MALFORMED_REQUEST, "the upload was interrupted before its end");
        }
        return new StagedUpload(file, HexFormat.of().formatHex(digest.digest()), total);
    }

    static PlatformProblem tooLarge(long maxBytes) {
        return new PlatformProblem(ProblemKind.PAYLOAD_TOO_LARGE,
                "the upload exceeds finetune.datasets.max-upload-size (" + maxBytes + " bytes)").with("maxBytes", maxBytes);
    }

    Path file() {
        return file;
    }

    /** The same upload under a file name ending in {@code suffix} (decided once the whole request was read). */
    StagedUpload withSuffix(String suffix) {
        if (file.getFileName().toString().endsWith(suffix)) {
            return this;
        }
        Path renamed = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.[^.]*$", "") + suffix);
        try {
            return new StagedUpload(Files.move(file, renamed), sha256, size);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new UncheckedIOException("cannot rename the staged upload " + file, e);
        }
    }

    String sha256() {
        return sha256;
    }

    long size() {
        return size;
    }

    @Override
    public void close() {
        deleteQuietly(file);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temp file is not worth failing a request for
        }
    }

}
