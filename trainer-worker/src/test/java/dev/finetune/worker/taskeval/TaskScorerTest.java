package dev.finetune.worker.taskeval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TaskScorerTest {

    static Path samples() {
        String dir = System.getProperty("samples.dir");
        return dir != null ? Path.of(dir) : Path.of("../samples");
    }

    @Test
    void exactMatchAndContainsCompareNormalisedText() {
        TaskScorer scorer = new TaskScorer(null);
        TaskScorer.Score same = scorer.score("  I am  Finetune.\n", "i am finetune");
        assertThat(same.exactMatch()).isEqualTo(1);
        assertThat(same.contains()).isEqualTo(1);
        assertThat(same.extractedMatch()).isNull();
        TaskScorer.Score longer = scorer.score("Hello! I am Finetune, an assistant.", "I am Finetune");
        assertThat(longer.exactMatch()).isZero();
        assertThat(longer.contains()).isEqualTo(1);
        assertThat(scorer.score("", "I am Finetune").contains()).isZero();
        assertThat(scorer.score("anything", "").contains()).as("an empty reference proves nothing").isZero();
    }

    @Test
    void rougeLIsTheF1OfTheLongestCommonWordSubsequence() {
        // rouge_score: the cat sat on the mat / the cat is on the mat -> LCS 5 of 6 and 6
        assertThat(TaskScorer.rougeL("The cat sat on the mat.", "the cat is on the mat")).isCloseTo(5.0 / 6, within(1e-12));
        // LCS "a c" (2): precision 2/2, recall 2/4 -> 2/3
        assertThat(TaskScorer.rougeL("a c", "a b c d")).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(TaskScorer.rougeL("x y", "a b")).isZero();
        assertThat(TaskScorer.rougeL("", "a b")).isZero();
    }

    @Test
    void extractsGsm8kFinalAnswersFromTheRealTestSet() throws IOException {
        TaskScorer scorer = new TaskScorer(TaskScorer.GSM8K);
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(samples().resolve("datasets/gsm8k_test_100.jsonl"));
        int found = 0;
        for (String line : lines) {
            JsonNode r = json.readTree(line);
            String answer = r.get("answer").asText();
            String number = answer.substring(answer.lastIndexOf("####") + 4).strip().replace(",", "");
            assertThat(TaskScorer.extract(TaskScorer.GSM8K, answer)).contains(number);
            // a model that shows other working but lands on the same number scores 1, another number 0
            assertThat(scorer.score("Some steps.\n#### " + number, answer).extractedMatch()).isEqualTo(1.0);
            assertThat(scorer.score("#### " + number + "1", answer).extractedMatch()).isZero();
            found++;
        }
        assertThat(found).isEqualTo(100);
        assertThat(scorer.score("no answer line", "#### 5").extractedMatch()).isZero();
        assertThat(TaskScorer.extract(TaskScorer.GSM8K, "#### 1,234.")).contains("1234");
        assertThatThrownBy(() -> new TaskScorer(Pattern.compile("####"))).hasMessageContaining("capturing group");
    }

    @Test
    void summariesAreMeans() {
        TaskScorer.Summary s = TaskScorer.Summary.of(List.of(new TaskScorer.Score(1, 1, 1.0, 1),
                new TaskScorer.Score(0, 1, 0.0, 0.5)));
        assertThat(s).isEqualTo(new TaskScorer.Summary(2, 0.5, 1, 0.5, 0.75));
        assertThat(TaskScorer.Summary.of(List.of()).examples()).isZero();
    }
}
