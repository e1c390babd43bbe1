package dev.finetune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import dev.finetune.settings.DatasetFormat;
import org.junit.jupiter.api.Test;

/** A mapping as the API takes and stores it: field name to the records' key, read as the worker reads it. */
class FieldMappingTest {

    @Test
    void aStoredMappingReadsGsm8kAsCompletionRecords() {
        FieldMapping mapping = FieldMapping.fromMap(Map.of("prompt", "question", "completion", "answer"));

        ValidationReport report = DatasetReader.validate(Samples.GSM8K, DatasetSpec.of(null, mapping), null);
        List<Example> examples = DatasetReader.read(Samples.GSM8K, DatasetSpec.of(null, mapping));

        assertThat(report.ok()).isTrue();
        assertThat(report.format()).isEqualTo(DatasetFormat.COMPLETION);
        assertThat(examples).hasSize(400);
        assertThat(examples.get(0).turns().get(0).role()).isEqualTo(Role.USER);
        assertThat(examples.get(0).turns().get(0).content()).startsWith("Natalia sold clips");
        assertThat(mapping.toMap()).containsExactly(Map.entry("prompt", "question"), Map.entry("completion", "answer"));
        assertThat(FieldMapping.fromMap(mapping.toMap())).isEqualTo(mapping);
        assertThat(FieldMapping.fromMap(Map.of())).isEqualTo(FieldMapping.DEFAULT);
        assertThat(FieldMapping.DEFAULT.toMap()).isEmpty();
    }

    @Test
    void refusesAnUnknownFieldABlankOrRepeatedKeyNamingTheEntry() {
        assertThatThrownBy(() -> FieldMapping.fromMap(Map.of("question", "prompt")))
                .hasMessageStartingWith("field_mapping.question: 'question' is not a field that can be mapped");
        assertThatThrownBy(() -> FieldMapping.fromMap(Map.of("prompt", " ")))
                .hasMessage("field_mapping.prompt must be the name of a key in the records");
        java.util.LinkedHashMap<String, String> twice = new java.util.LinkedHashMap<>();
        twice.put("prompt", "question");
        twice.put("completion", "question");
        assertThatThrownBy(() -> FieldMapping.fromMap(twice))
                .hasMessage("field_mapping.completion: key 'question' is already mapped to another field");
    }
}
