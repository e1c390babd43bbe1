package dev.finetune.data.tokenizer;

import java.util.Optional;

/**
 * A text tokenizer as the training engine needs it: ids in, ids out, plus the special tokens and the
 * chat template of the checkpoint it belongs to.
 *
 * <p>Special-token ids are {@code -1} when the checkpoint defines no such token (for example a model
 * without a BOS token). Implementations hold native resources; close them when done.
 */
public interface TextTokenizer extends AutoCloseable {

    /**
     * Encodes text to token ids.
     *
     * @param text the text
     * @param addSpecialTokens whether to add the special tokens the checkpoint adds by default (for
     *     Llama-style checkpoints: BOS first when {@code add_bos_token} is true)
     * @return the ids, never null
     */
    int[] encode(String text, boolean addSpecialTokens);

    /** Decodes ids back to text, optionally dropping special tokens such as BOS and EOS. */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** The BOS id, or -1 when the checkpoint has none. */
    int bosId();

    /** The EOS id, or -1 when the checkpoint has none. */
    int eosId();

    /** The padding id (see the implementation for its fallback), or -1 when none can be found. */
    int padId();

    /** The number of ids the tokenizer can produce (highest id + 1). */
    int vocabSize();

    /** The checkpoint's own Jinja chat template, when it ships one. */
    Optional<String> chatTemplate();

    /** The BOS token text, or the empty string when there is none. */
    String bosToken();

    /** The EOS token text, or the empty string when there is none. */
    String eosToken();

    /**
     * Whether {@link #encode(String, boolean) encode(text, true)} puts BOS first. The default probes
     * the tokenizer once; implementations that know it from their configuration override this.
     */
    default boolean addsBosToken() {
        int[] ids = encode("a", true);
        return bosId() >= 0 && ids.length > 0 && ids[0] == bosId();
    }

    /** Releases native resources; never throws a checked exception. */
    @Override
    void close();
}
