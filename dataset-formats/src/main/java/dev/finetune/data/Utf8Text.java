package dev.finetune.data;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict UTF-8 decoding that keeps going: a {@link CharsetDecoder} set to REPORT finds every
 * malformed sequence, which is remembered (byte offset, line) and replaced by U+FFFD so the rest of
 * the file can still be checked. A leading byte-order mark is dropped.
 */
final class Utf8Text {

    /** A malformed sequence: where it starts in the file and in the decoded text. */
    record Malformed(long byteOffset, int charOffset, int line, int firstByte) {
        String describe() {
            return String.format("invalid UTF-8: byte 0x%02X at byte offset %d", firstByte, byteOffset);
        }
    }

    record Decoded(String text, List<Malformed> malformed) {}

    private Utf8Text() {}

    static Decoded decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        List<Malformed> malformed = new ArrayList<>();
        int line = 1;
        int scanned = 0;
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                int at = in.position();
                line += countNewlines(bytes, scanned, at);
                scanned = at;
                malformed.add(new Malformed(at, out.position(), line, bytes[at] & 0xFF));
                out.put('\uFFFD');
                in.position(at + result.length());
            } else {
                break; // underflow: all input consumed (output is large enough never to overflow)
            }
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
            List<Malformed> shifted = new ArrayList<>();
            for (Malformed m : malformed) {
                shifted.add(new Malformed(m.byteOffset(), m.charOffset() - 1, m.line(), m.firstByte()));
            }
            malformed = shifted;
        }
        return new Decoded(text, List.copyOf(malformed));
    }

    private static int countNewlines(byte[] bytes, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                n++;
            }
        }
        return n;
    }
}
