package dev.finetune.data;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.finetune.data.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Renders conversations to text with a Hugging Face style Jinja chat template, using Jinjava.
 *
 * <p>Templates see the variables {@code transformers} passes: {@code messages} (a list of
 * {@code {role, content}} with roles {@code system}, {@code user}, {@code assistant}, {@code tool}),
 * {@code bos_token}, {@code eos_token} and {@code add_generation_prompt}, plus the function
 * {@code raise_exception(message)}, which aborts rendering with a {@link ChatTemplateException}
 * carrying the message. Like {@code transformers}, blocks are rendered with {@code trim_blocks}
 * and {@code lstrip_blocks}, and message text is output verbatim (never re-interpreted, so content
 * such as <code>{{name}}</code> survives). Jinjava is not Jinja2: Python string methods inside
 * templates ({@code .strip()}, {@code .title()}) work only where Java has a method of that name.
 *
 * <p><b>Default template.</b> Checkpoints without a {@code chat_template} (both bundled ones) get
 * {@link #DEFAULT_TEMPLATE}: turns separated by a blank line, as {@code User: ...},
 * {@code Assistant: ...<eos>}, {@code Tool: ...}, and a system turn as its bare text; the generation
 * prompt is {@code Assistant:}. This plain-text layout was chosen over ChatML because small and base
 * checkpoints have no {@code <|im_start|>}-style tokens (markers would be split into many
 * sub-tokens, or become {@code <unk>} in a vocabulary without them: the TinyStories vocabulary has no
 * {@code #}, hence no Markdown headers either), while ordinary words and {@code :} tokenize well
 * everywhere. The separator comes <em>before</em> each turn, so that EOS is the last trained token of
 * an assistant turn; the generation prompt ends without a space so that the first answer token
 * carries its own leading space, exactly as in training.
 */
public final class ChatTemplate {

    /** The template used when a tokenizer has none; see the class comment. */
    public static final String DEFAULT_TEMPLATE = "{% for message in messages %}"
            + "{% if not loop.first %}{{ '\n\n' }}{% endif %}"
            + "{% if message['role'] == 'system' %}{{ message['content'] }}"
            + "{% elif message['role'] == 'user' %}{{ 'User: ' ~ message['content'] }}"
            + "{% elif message['role'] == 'assistant' %}{{ 'Assistant: ' ~ message['content'] ~ eos_token }}"
            + "{% elif message['role'] == 'tool' %}{{ 'Tool: ' ~ message['content'] }}"
            + "{% else %}{{ raise_exception('unknown role ' ~ message['role']) }}{% endif %}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{% if messages|length > 0 %}{{ '\n\n' }}{% endif %}"
            + "{{ 'Assistant:' }}{% endif %}";

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final boolean isDefault;
    private final Jinjava jinjava;

    private ChatTemplate(String source, String bosToken, String eosToken, boolean isDefault) {
        this.source = Objects.requireNonNull(source, "source");
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.isDefault = isDefault;
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withNestedInterpretationEnabled(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .build())
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    }

    /** A given Jinja template with the tokenizer's special tokens. */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        return new ChatTemplate(source, bosToken, eosToken, false);
    }

    /** {@link #DEFAULT_TEMPLATE} with the given special tokens. */
    public static ChatTemplate defaultTemplate(String bosToken, String eosToken) {
        return new ChatTemplate(DEFAULT_TEMPLATE, bosToken, eosToken, true);
    }

    /** The tokenizer's own template when it has one, else the default. */
    public static ChatTemplate forTokenizer(TextTokenizer tokenizer) {
        return tokenizer.chatTemplate()
                .filter(t -> !t.isBlank())
                .map(t -> of(t, tokenizer.bosToken(), tokenizer.eosToken()))
                .orElseGet(() -> defaultTemplate(tokenizer.bosToken(), tokenizer.eosToken()));
    }

    public boolean isDefault() {
        return isDefault;
    }

    public String source() {
        return source;
    }

    /**
     * Renders turns to text.
     *
     * @throws ChatTemplateException when the template calls {@code raise_exception} or fails
     */
    public String render(List<Turn> turns, boolean addGenerationPrompt) {
        List<Map<String, Object>> messages = new ArrayList<>(turns.size());
        for (Turn t : turns) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", t.role().templateName());
            m.put("content", t.content());
            messages.add(m);
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", messages);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        vars.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(source, vars);
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException(describe(e), e.getException());
            }
        }
        return result.getOutput();
    }

    /** Called by templates as {@code raise_exception(message)}. */
    public static Object raiseException(String message) {
        throw new ChatTemplateException("chat template raised: " + message, null);
    }

    private static String describe(TemplateError e) {
        for (Throwable t = e.getException(); t != null; t = t.getCause()) {
            if (t instanceof ChatTemplateException cte) {
                return cte.getMessage();
            }
        }
        return "chat template failed at line " + e.getLineno() + ": " + e.getMessage();
    }
}
