package dev.finetune.api.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.nio.charset.StandardCharsets;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.FileUploadSizeException;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;

/**
 * A multipart dataset upload read as a stream (commons-fileupload2): the {@code file} part goes
 * straight into a {@link StagedUpload}, which stops at the dataset limit, and the whole body is cut
 * off at that limit plus room for the other parts. The servlet container's own multipart parser
 * would first spool a chunked body of any size to disk (its limit is the base models' 20 GB), so
 * this endpoint never lets it run: nothing here calls {@code getParameter} or {@code getParts}.
 *
 * @param name the {@code name} form field, or null
 * @param format the {@code format} form field, or null
 * @param fileName the file part's file name, or null
 * @param contentType the file part's content type, or null
 * @param purpose the {@code purpose} form field (the OpenAI-compatible {@code /v1/files} reads it), or null
 * @param otherParts the names of the parts read past, in order (the native upload ignores them, {@code /v1/files} refuses them)
 * @param staged the file part's bytes (close it)
 */
record MultipartDatasetUpload(String name, String format, String fileName, String contentType, String purpose,
        java.util.List<String> otherParts, StagedUpload staged) {

    /** Form fields are short words; a longer one is refused instead of read. */
    private static final int MAX_FIELD_BYTES = 1024;
    /** Room for boundaries, part headers and the form fields on top of the file itself. */
    static final long OVERHEAD_BYTES = 64 * 1024;

    static MultipartDatasetUpload read(HttpServletRequest request, long maxFileBytes, String provisionalSuffix) {
        JakartaServletFileUpload<?, ?> upload = new JakartaServletFileUpload<>();
        upload.setSizeMax(maxFileBytes + OVERHEAD_BYTES);
        upload.setFileCountMax(8);
        String name = null;
        String format = null;
        String fileName = null;
        String contentType = null;
        String purpose = null;
        java.util.List<String> otherParts = new java.util.ArrayList<>();
        StagedUpload staged = null;
        try {
            FileItemInputIterator parts = upload.getItemIterator(request);
            while (parts.hasNext()) {
                FileItemInput part = parts.next();
                switch (part.getFieldName() == null ? "" : part.getFieldName()) {
                    case "file" -> {
                        if (staged != null) {
                            throw new PlatformProblem(ProblemKind.VALIDATION, "send one multipart part 'file', not several")
                                    .with("param", "file");
                        }
                        fileName = part.getName();
                        contentType = part.getContentType();
                        try (InputStream in = new BodyLimit(part.getInputStream(), maxFileBytes)) {
                            staged = StagedUpload.copy(in, maxFileBytes, provisionalSuffix);
                        }
                    }
                    case "name" -> name = field(part);
                    case "format" -> format = field(part);
                    case "purpose" -> purpose = field(part);
                    default -> {
                        otherParts.add(part.getFieldName() == null ? "" : part.getFieldName());
                        drain(part);
                    }
                }
            }
        } catch (FileUploadSizeException e) {
            close(staged);
            throw StagedUpload.tooLarge(maxFileBytes);
        } catch (IOException e) {
            close(staged);
            throw new PlatformProblem(ProblemKind.MALFORMED_REQUEST,
                    "the multipart body cannot be read (truncated, or a bad boundary)");
        } catch (RuntimeException e) {
            close(staged);
            throw e;
        }
        if (staged == null) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "multipart part 'file' is required").with("param", "file");
        }
        return new MultipartDatasetUpload(name, format, fileName, contentType, purpose, List.copyOf(otherParts), staged);
    }

    private static String field(FileItemInput part) throws IOException {
        try (InputStream in = part.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_FIELD_BYTES + 1);
            if (bytes.length > MAX_FIELD_BYTES) {
                throw new PlatformProblem(ProblemKind.VALIDATION,
                        "multipart field '" + part.getFieldName() + "' is longer than " + MAX_FIELD_BYTES + " bytes")
                        .with("param", part.getFieldName());
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** A part this endpoint does not use: read past it, within the body's limit. */
    private static void drain(FileItemInput part) throws IOException {
        try (InputStream in = part.getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** Turns the body limit, when it strikes inside the file part, into the 413 it is (not a broken upload). */
    private static final class BodyLimit extends java.io.FilterInputStream {
        private final long maxFileBytes;

        BodyLimit(InputStream in, long maxFileBytes) {
            super(in);
            this.maxFileBytes = maxFileBytes;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (FileUploadSizeException e) {
                throw StagedUpload.tooLarge(maxFileBytes);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (FileUploadSizeException e) {
                throw StagedUpload.tooLarge(maxFileBytes);
            }
        }
    }

    private static void close(StagedUpload staged) {
        if (staged != null) {
            staged.close();
        }
    }
}
