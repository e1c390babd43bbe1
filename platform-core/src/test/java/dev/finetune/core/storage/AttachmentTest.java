package dev.finetune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AttachmentTest {

    @Test
    void quotesAPlainName() {
        assertThat(Attachment.header("adapter_config.json")).isEqualTo("attachment; filename=\"adapter_config.json\"");
    }

    @Test
    void neverLetsQuotesOrControlCharactersIntoTheQuotedName() {
        assertThat(Attachment.header("a\"b\\c\r\n.json"))
                .startsWith("attachment; filename=\"a_b_c__.json\"; filename*=UTF-8''a%22b%5Cc%0D%0A.json");
    }

    @Test
    void addsAnRfc8187NameForNonAscii() {
        assertThat(Attachment.header("modèle.json"))
                .isEqualTo("attachment; filename=\"mod_le.json\"; filename*=UTF-8''mod%C3%A8le.json");
    }
}
