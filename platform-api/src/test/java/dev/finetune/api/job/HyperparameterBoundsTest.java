package dev.finetune.api.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.hyperparameters.InvalidHyperparameterException;
import dev.finetune.core.json.CoreJson;
import dev.finetune.core.json.InvalidJsonException;
import org.junit.jupiter.api.Test;

/** The bounds the API serves are the rules the settings check: each bound accepted, one step beyond refused. */
class HyperparameterBoundsTest {

    private final Map<String, HyperparameterBounds> bounds = HyperparameterBounds.all();

    @Test
    void coversEveryHyperparameterAndNoOther() {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = CoreJson.read(Hyperparameters.defaults().toJson(), Map.class);
        assertThat(bounds.keySet()).containsExactlyInAnyOrderElementsOf(fields.keySet());
    }

    @Test
    void eachBoundIsTheRuleTheSettingsCheck() {
        bounds.forEach((field, b) -> {
            boolean integer = "integer".equals(b.type());
            double step = integer ? 1 : 1e-9;
            if (b.minimum() != null) {
                accepted(field, value(b.minimum(), integer));
                refused(field, value(b.minimum() - step, integer));
            }
            if (b.exclusiveMinimum() != null) {
                accepted(field, value(b.exclusiveMinimum() + step, integer));
                refused(field, value(b.exclusiveMinimum(), integer));
            }
            if (b.maximum() != null) {
                accepted(field, value(b.maximum(), integer));
                refused(field, value(b.maximum() + step, integer));
            }
            if (b.exclusiveMaximum() != null) {
                accepted(field, value(b.exclusiveMaximum() - step, integer));
                refused(field, value(b.exclusiveMaximum(), integer));
            }
            if (b.choices() != null) {
                b.choices().forEach(c -> accepted(field, "\"" + c + "\""));
            }
            if (Boolean.TRUE.equals(b.nullable())) {
                accepted(field, "null");
            }
        });
    }

    @Test
    void everyBrokenFieldIsReportedAtOnceTheFirstAsBefore() {
        assertThatThrownBy(() -> Hyperparameters.fromJson("{\"n_epochs\": 0, \"learning_rate\": 2, \"lora_r\": 0}"))
                .isInstanceOfSatisfying(InvalidHyperparameterException.class, e -> {
                    assertThat(e.field()).isEqualTo("n_epochs");
                    assertThat(e.getMessage()).isEqualTo("n_epochs must be > 0 but was 0");
                    assertThat(e.violations()).extracting(InvalidHyperparameterException.Violation::field)
                            .containsExactly("n_epochs", "learning_rate", "lora_r");
                    assertThat(e.violations().get(2).message()).isEqualTo("lora_r must be > 0 but was 0");
                });
    }

    private static String value(double v, boolean integer) {
        return integer ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static void accepted(String field, String json) {
        Hyperparameters.fromJson("{\"" + field + "\": " + json + "}");
    }

    private static void refused(String field, String json) {
        assertThatThrownBy(() -> Hyperparameters.fromJson("{\"" + field + "\": " + json + "}"))
                .as("%s = %s", field, json)
                .isInstanceOfSatisfying(InvalidJsonException.class, e -> assertThat(e.field()).isEqualTo(field));
    }
}
