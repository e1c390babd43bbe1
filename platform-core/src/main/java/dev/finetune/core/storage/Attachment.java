package dev.finetune.core.storage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The {@code Content-Disposition} value that makes a browser save a download as {@code fileName}:
 * {@code attachment; filename="..."} (RFC 6266), plus {@code filename*} (RFC 8187) when the name is
 * not plain ASCII. Quotes, backslashes and control characters never reach the quoted form.
 */
final class Attachment {

    private Attachment() {
    }

    static String header(String fileName) {
        String name = fileName == null || fileName.isBlank() ? "download" : fileName;
        StringBuilder ascii = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean printable = c >= 0x20 && c < 0x7f;
            plain &= printable && c != '"' && c != '\\';
            ascii.append(printable && c != '"' && c != '\\' ? c : '_');
        }
        String header = "attachment; filename=\"" + ascii + "\"";
        return plain ? header : header + "; filename*=UTF-8''" + percentEncoded(name);
    }

    /** RFC 8187 {@code value-chars}: attr-char as is, every other byte as %XX. */
    private static String percentEncoded(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.write(c);
            } else {
                out.writeBytes(String.format("%%%02X", c).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
