package dev.finetune.data;

import dev.finetune.data.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns examples into token ids with loss masks.
 *
 * <p><b>Conversations.</b> The whole conversation is rendered with the {@link ChatTemplate} and
 * tokenized without the tokenizer's own special tokens; BOS is then put first when the tokenizer adds
 * BOS and the rendered text does not already start with it (templates such as Llama 2's write
 * {@code bos_token} themselves). To find what to train on, the conversation is rendered prefix by
 * prefix: for each assistant turn {@code i}, the turns before it with the generation prompt, and the
 * turns up to and including it. Each prefix is tokenized the same way, and its boundary in the full
 * sequence is the length of its longest common token prefix with the full sequence. This stays right
 * when a BPE merge crosses the boundary (the merged token counts as the assistant's) and needs nothing
 * from the template beyond rendering prefixes consistently. The assistant spans (content, any end
 * marker and EOS the template writes) get labels; everything else gets {@link
 * TokenizedExample#IGNORE_INDEX}, unless {@code trainOnInputs}, which trains everything but the
 * leading BOS. With {@code addEos}, EOS is appended when the sequence does not already end with it
 * (trained when the last turn is the assistant's).
 *
 * <p><b>Truncation</b> keeps the first {@code maxSeqLen} tokens (the prompt, and the start of the
 * answer, which is what a model conditioned on the prompt can learn); an example with no trained
 * token left is dropped and counted.
 *
 * <p><b>TEXT</b> examples form one corpus: each document is tokenized as BOS (if the tokenizer adds
 * it) + text + EOS (if {@code addEos}), the documents are concatenated and cut into
 * {@code maxSeqLen}-token chunks, every token trained; a final chunk shorter than 2 tokens is left out.
 */
public final class ExampleEncoder {

    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final EncoderOptions options;
    private final boolean addBos;

    public ExampleEncoder(TextTokenizer tokenizer, ChatTemplate template, EncoderOptions options) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.options = options;
        this.addBos = tokenizer.bosId() >= 0 && tokenizer.addsBosToken();
    }

    /** An encoder using the tokenizer's own chat template, or the default one. */
    public ExampleEncoder(TextTokenizer tokenizer, EncoderOptions options) {
        this(tokenizer, ChatTemplate.forTokenizer(tokenizer), options);
    }

    /** Encodes a whole dataset: conversations one by one (truncated), TEXT examples as one corpus. */
    public EncodedDataset encodeAll(List<Example> examples) {
        List<TokenizedExample> out = new ArrayList<>();
        List<String> corpus = new ArrayList<>();
        int truncated = 0;
        int dropped = 0;
        for (Example ex : examples) {
            if (ex.rawText()) {
                corpus.add(ex.turns().get(0).content());
                continue;
            }
            TokenizedExample full = encodeConversation(ex.turns());
            TokenizedExample cut = truncate(full);
            if (cut.length() < full.length()) {
                truncated++;
            }
            if (cut.trainableTokens() == 0) {
                dropped++;
            } else {
                out.add(cut);
            }
        }
        if (!corpus.isEmpty()) {
            out.addAll(encodeCorpus(corpus));
        }
        return new EncodedDataset(out, truncated, dropped);
    }

    /** One conversation at full length (no truncation); see the class comment for the masking. */
    public TokenizedExample encodeConversation(List<Turn> turns) {
        int[] ids = tokenizeRendered(template.render(turns, false));
        int[] labels = new int[ids.length];
        Arrays.fill(labels, TokenizedExample.IGNORE_INDEX);
        if (options.trainOnInputs()) {
            int from = ids.length > 0 && addBos && ids[0] == tokenizer.bosId() ? 1 : 0;
            System.arraycopy(ids, from, labels, from, ids.length - from);
        } else {
            for (int i = 0; i < turns.size(); i++) {
                if (turns.get(i).role() != Role.ASSISTANT) {
                    continue;
                }
                int start = commonPrefix(tokenizeRendered(template.render(turns.subList(0, i), true)), ids);
                int end = commonPrefix(tokenizeRendered(template.render(turns.subList(0, i + 1), false)), ids);
                System.arraycopy(ids, start, labels, start, Math.max(0, end - start));
            }
        }
        int eos = tokenizer.eosId();
        if (options.addEos() && eos >= 0 && (ids.length == 0 || ids[ids.length - 1] != eos)) {
            boolean trained = options.trainOnInputs() || turns.get(turns.size() - 1).role() == Role.ASSISTANT;
            ids = append(ids, eos);
            labels = append(labels, trained ? eos : TokenizedExample.IGNORE_INDEX);
        }
        return new TokenizedExample(ids, labels);
    }

    /** A raw-text corpus cut into {@code maxSeqLen} chunks; see the class comment. */
    public List<TokenizedExample> encodeCorpus(List<String> documents) {
        int total = 0;
        List<int[]> parts = new ArrayList<>();
        for (String doc : documents) {
            int[] ids = tokenizer.encode(doc, false);
            int eos = options.addEos() ? tokenizer.eosId() : -1;
            int[] part = new int[ids.length + (addBos ? 1 : 0) + (eos >= 0 ? 1 : 0)];
            if (addBos) {
                part[0] = tokenizer.bosId();
            }
            System.arraycopy(ids, 0, part, addBos ? 1 : 0, ids.length);
            if (eos >= 0) {
                part[part.length - 1] = eos;
            }
            parts.add(part);
            total += part.length;
        }
        int[] stream = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, stream, at, p.length);
            at += p.length;
        }
        List<TokenizedExample> chunks = new ArrayList<>();
        for (int from = 0; from < total; from += options.maxSeqLen()) {
            int to = Math.min(total, from + options.maxSeqLen());
            if (to - from < 2) {
                break;
            }
            int[] chunk = Arrays.copyOfRange(stream, from, to);
            chunks.add(new TokenizedExample(chunk, chunk.clone()));
        }
        return chunks;
    }

    /** The first {@code maxSeqLen} tokens of an example (the example itself when it fits). */
    public TokenizedExample truncate(TokenizedExample ex) {
        if (ex.length() <= options.maxSeqLen()) {
            return ex;
        }
        return new TokenizedExample(Arrays.copyOf(ex.inputIds(), options.maxSeqLen()),
                Arrays.copyOf(ex.labels(), options.maxSeqLen()));
    }

    /**
     * Tokenizes rendered template text, putting BOS first as described in the class comment. The
     * BOS and EOS token texts are cut out and mapped to their ids first, and the pieces between them
     * encoded separately, which is what the tokenizers library does for special tokens anyway; doing
     * it here also covers tokenizers that fail to recognise them in running text (TinyStories marks
     * them {@code normalized}, and its {@code Prepend} normalizer then hides {@code <|end_story|>}
     * after a word).
     */
    int[] tokenizeRendered(String text) {
        int[] ids = encodeWithSpecials(text);
        String bosToken = tokenizer.bosToken();
        boolean hasBos = ids.length > 0 && ids[0] == tokenizer.bosId()
                || !bosToken.isEmpty() && text.startsWith(bosToken);
        if (!addBos || hasBos) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private int[] encodeWithSpecials(String text) {
        String bos = tokenizer.bosId() >= 0 ? tokenizer.bosToken() : "";
        String eos = tokenizer.eosId() >= 0 ? tokenizer.eosToken() : "";
        List<int[]> parts = new ArrayList<>();
        int from = 0;
        int total = 0;
        while (from < text.length()) {
            int b = bos.isEmpty() ? -1 : text.indexOf(bos, from);
            int e = eos.isEmpty() ? -1 : text.indexOf(eos, from);
            boolean isBos = b >= 0 && (e < 0 || b <= e);
            int at = isBos ? b : e;
            String chunk = at < 0 ? text.substring(from) : text.substring(from, at);
            int[] piece = chunk.isEmpty() ? new int[0] : tokenizer.encode(chunk, false);
            parts.add(piece);
            total += piece.length;
            if (at < 0) {
                break;
            }
            parts.add(new int[] {isBos ? tokenizer.bosId() : tokenizer.eosId()});
            total++;
            from = at + (isBos ? bos : eos).length();
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    private static int[] append(int[] a, int v) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }
}
