package dev.finetune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.data.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {

    static final List<Turn> CONVERSATION = List.of(
            new Turn(Role.SYSTEM, "Be brief."),
            new Turn(Role.USER, "Hi"),
            new Turn(Role.ASSISTANT, "Hello!"),
            new Turn(Role.USER, "Bye"),
            new Turn(Role.ASSISTANT, "See you."));

    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n'"
            + " + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /** The Llama 2 chat template as published with meta-llama/Llama-2-7b-chat-hf. */
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
            + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
            + "{% endif %}{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    @Test
    void usesTheDefaultTemplateForTinyStoriesWhichHasNone() {
        try (HfTokenizer tok = HfTokenizer.load(Samples.TINYSTORIES)) {
            ChatTemplate template = ChatTemplate.forTokenizer(tok);
            assertThat(template.isDefault()).isTrue();
            assertThat(template.render(CONVERSATION, false)).isEqualTo(
                    "Be brief.\n\nUser: Hi\n\nAssistant: Hello!<|end_story|>\n\nUser: Bye\n\nAssistant: See you.<|end_story|>");
        }
    }

    @Test
    void defaultTemplateEndsTheGenerationPromptWithoutASpace() {
        ChatTemplate template = ChatTemplate.defaultTemplate("<s>", "</s>");
        assertThat(template.render(CONVERSATION.subList(0, 2), true)).isEqualTo("Be brief.\n\nUser: Hi\n\nAssistant:");
        assertThat(template.render(List.of(), true)).isEqualTo("Assistant:");
        assertThat(template.render(List.of(new Turn(Role.TOOL, "42")), false)).isEqualTo("Tool: 42");
    }

    @Test
    void rendersAChatMlTemplateFromTokenizerConfig(@TempDir Path dir) throws IOException {
        Files.copy(Samples.TINYSTORIES.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), new ObjectMapper().writeValueAsString(Map.of(
                "bos_token", "<|start_story|>", "eos_token", "<|end_story|>", "chat_template", CHATML)));
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            ChatTemplate template = ChatTemplate.forTokenizer(tok);
            assertThat(template.isDefault()).isFalse();
            assertThat(template.render(CONVERSATION.subList(0, 3), false)).isEqualTo(
                    "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                            + "<|im_start|>assistant\nHello!<|im_end|>\n");
            assertThat(template.render(CONVERSATION.subList(0, 2), true))
                    .endsWith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        }
    }

    @Test
    void rendersTheLlama2TemplateWithSystemPromptAndStrip() {
        ChatTemplate template = ChatTemplate.of(LLAMA2, "<s>", "</s>");
        assertThat(template.render(CONVERSATION, false)).isEqualTo(
                "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Bye [/INST] See you. </s>");
    }

    @Test
    void raiseExceptionInATemplateFailsWithItsMessage() {
        ChatTemplate template = ChatTemplate.of(LLAMA2, "<s>", "</s>");
        List<Turn> twoUsers = List.of(new Turn(Role.USER, "a"), new Turn(Role.USER, "b"));
        assertThatThrownBy(() -> template.render(twoUsers, false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void leavesJinjaSyntaxInsideMessagesUninterpreted() {
        ChatTemplate template = ChatTemplate.defaultTemplate("", "</s>");
        String rendered = template.render(List.of(new Turn(Role.USER, "who?"),
                new Turn(Role.ASSISTANT, "I am {{name}}, by {% if x %}{{author}}{% endif %}.")), false);
        assertThat(rendered).isEqualTo("User: who?\n\nAssistant: I am {{name}}, by {% if x %}{{author}}{% endif %}.</s>");
    }
}
