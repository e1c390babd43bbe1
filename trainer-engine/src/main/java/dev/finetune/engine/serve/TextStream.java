package dev.finetune.engine.serve;

import dev.finetune.data.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns generated ids into text deltas as they become stable, the way streaming servers detokenize: each
 * new id is decoded together with a few ids before it (the prompt's last ones at first, so a word-initial
 * space survives as in {@code AdapterInference}), and text ending in U+FFFD (half of a multi-byte character)
 * waits for the next id. Stop strings: text is held back while its end could still begin one, and once one
 * appears the text before it is emitted and the rest never is.
 */
final class TextStream {

    private static final int CONTEXT = 4;

    private final TextTokenizer tokenizer;
    private final List<String> stops;
    private final int longestStop;
    private int[] ids;
    private int size;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder text = new StringBuilder();
    private int emitted;

    TextStream(TextTokenizer tokenizer, int[] prompt, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stops = stops;
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
        int context = Math.min(CONTEXT, prompt.length);
        this.ids = Arrays.copyOfRange(prompt, prompt.length - context, prompt.length + 16);
        this.size = context;
        this.readOffset = context;
    }

    /** Adds a generated id and emits what became stable; true when a stop string was reached. */
    boolean add(int id, TokenSink sink) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[size++] = id;
        decodeNew(false);
        return emit(sink, false);
    }

    /** At the end of generation: emits everything still held back (up to a stop string); true if one was found. */
    boolean finish(TokenSink sink) {
        decodeNew(true);
        return emit(sink, true);
    }

    private void decodeNew(boolean force) {
        if (readOffset == size) {
            return;
        }
        String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), true);
        String after = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), true);
        if (after.length() > before.length() && (force || !after.endsWith("\uFFFD"))) {
            text.append(after, before.length(), after.length());
            prefixOffset = readOffset;
            readOffset = size;
        }
    }

    private boolean emit(TokenSink sink, boolean end) {
        int from = Math.max(0, emitted - longestStop + 1);
        int stopAt = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (stopAt < 0 || at < stopAt)) {
                stopAt = at;
            }
        }
        int until = stopAt >= 0 ? stopAt : end ? text.length() : text.length() - heldBack();
        if (until > emitted) {
            sink.onText(text.substring(emitted, until));
            emitted = until;
        }
        return stopAt >= 0;
    }

    /** Length of the longest end of the text that is the beginning of a stop string. */
    private int heldBack() {
        int held = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, text.length() - emitted); n > held; n--) {
                if (text.substring(text.length() - n).equals(stop.substring(0, n))) {
                    held = n;
                    break;
                }
            }
        }
        return held;
    }
}
