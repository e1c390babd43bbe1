package dev.finetune.worker.taskeval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.finetune.core.json.CoreJson;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.data.PackedSequence;
import dev.finetune.data.TokenizedExample;
import dev.finetune.data.tokenizer.TextTokenizer;
import dev.finetune.engine.model.Generator;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.recipe.AdapterInference;
import dev.finetune.engine.recipe.FineTuneSession;
import org.springframework.stereotype.Component;

/**
 * Task metrics from generation: the eval set's prompts answered greedily by the base model and by
 * the trained adapter (loaded by {@link AdapterInference}, generating from the prompt's token ids), each answer scored against the eval
 * example's reference answer by {@link TaskScorer}. Writes one JSON line per prompt
 * ({@value #EXAMPLES}) and the means ({@value #SUMMARY}) into the adapter's directory, so they are
 * uploaded with it and listed among the registry version's files.
 *
 * <p>A prompt is an eval example's tokens before its first trained token, the reference the trained
 * tokens that follow (the first answer; special tokens dropped). That needs a loss mask, so a job
 * that trains on its inputs, or whose eval set is raw text, gets no task metrics.
 */
@Component
public class TaskEvaluation {

    public static final String EXAMPLES = "task_eval.jsonl";
    public static final String SUMMARY = "task_eval_summary.json";

    private final TaskEvalProperties properties;

    TaskEvaluation(TaskEvalProperties properties) {
        this.properties = properties;
    }

    public boolean enabled() {
        return properties.enabled();
    }

    /** A prompt and its reference answer, decoded from an eval example. */
    record Case(int index, int[] promptIds, String prompt, String reference) {
    }

    /**
     * Runs the evaluation into {@code adapterDir}; empty with the reason when there is nothing to
     * answer (no eval set, or no loss mask to tell prompt from answer).
     */
    public Result run(FineTuneSession engine, Path adapterDir) {
        return evaluate(engine.spec().modelDir(), engine.spec().device(), engine.prepared().data().eval(),
                engine.tokenizer(), adapterDir, adapterDir, properties.maxExamples(), properties.maxNewTokens(),
                properties.extractor());
    }

    /**
     * Answers the prompts of {@code eval} (at most {@code maxExamples}) with the base model in
     * {@code modelDir} and with the adapter in {@code adapterDir}, scores both and writes
     * {@value #EXAMPLES} and {@value #SUMMARY} into {@code outDir}.
     */
    public static Result evaluate(Path modelDir, String device, List<PackedSequence> eval, TextTokenizer tokenizer,
            Path adapterDir, Path outDir, int maxExamples, int maxNewTokens, String extractor) {
        List<Case> cases = cases(eval, tokenizer, maxExamples);
        if (cases.isEmpty()) {
            return new Result(Optional.empty(), "no eval example has a prompt followed by a trained answer "
                    + "(no eval set, train_on_inputs, or raw text)");
        }
        String pattern = extractor == null || extractor.isBlank() ? null : extractor;
        TaskScorer scorer = new TaskScorer(pattern == null ? null : java.util.regex.Pattern.compile(pattern));
        SamplingOptions greedy = SamplingOptions.greedy(maxNewTokens);
        List<String> base = answers(AdapterInference.open(modelDir, null, device), cases, greedy);
        List<String> tuned = answers(AdapterInference.open(modelDir, adapterDir, device), cases, greedy);
        List<TaskScorer.Score> baseScores = new ArrayList<>();
        List<TaskScorer.Score> tunedScores = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            TaskScorer.Score b = scorer.score(base.get(i), c.reference());
            TaskScorer.Score t = scorer.score(tuned.get(i), c.reference());
            baseScores.add(b);
            tunedScores.add(t);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("index", c.index());
            line.put("prompt", c.prompt());
            line.put("reference", c.reference());
            line.put("base", answer(base.get(i), b));
            line.put("adapter", answer(tuned.get(i), t));
            lines.append(write(line)).append('\n');
        }
        FineTuningSucceeded.TaskMetrics metrics = new FineTuningSucceeded.TaskMetrics(cases.size(), pattern, maxNewTokens,
                scores(TaskScorer.Summary.of(baseScores)), scores(TaskScorer.Summary.of(tunedScores)));
        try {
            Files.createDirectories(outDir);
            Files.writeString(outDir.resolve(EXAMPLES), lines, StandardCharsets.UTF_8);
            Files.writeString(outDir.resolve(SUMMARY), write(metrics), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the task evaluation into " + outDir, e);
        }
        return new Result(Optional.of(metrics), null);
    }

    /** What a run produced: the metrics, or why there are none. */
    public record Result(Optional<FineTuningSucceeded.TaskMetrics> metrics, String skipped) {
    }

    static List<Case> cases(List<PackedSequence> eval, TextTokenizer tokenizer, int max) {
        List<Case> out = new ArrayList<>();
        int index = 0;
        for (PackedSequence row : eval) {
            int n = row.length();
            int start = 0;
            while (start < n && out.size() < max) {
                int end = start;
                while (end < n && row.segmentIds()[end] == row.segmentIds()[start]) {
                    end++;
                }
                caseOf(row, start, end, tokenizer, index++).ifPresent(out::add);
                start = end;
            }
        }
        return out;
    }

    private static Optional<Case> caseOf(PackedSequence row, int from, int to, TextTokenizer tokenizer, int index) {
        int[] ids = row.inputIds();
        int[] labels = row.labels();
        int answer = from;
        while (answer < to && labels[answer] == TokenizedExample.IGNORE_INDEX) {
            answer++;
        }
        if (answer == from || answer == to) {
            return Optional.empty();
        }
        int answerEnd = answer;
        while (answerEnd < to && labels[answerEnd] != TokenizedExample.IGNORE_INDEX) {
            answerEnd++;
        }
        int[] prompt = Arrays.copyOfRange(ids, from, answer);
        String reference = tokenizer.decode(Arrays.copyOfRange(ids, answer, answerEnd), true).strip();
        int skip = prompt.length > 0 && prompt[0] == tokenizer.bosId() ? 1 : 0;
        String promptText = tokenizer.decode(Arrays.copyOfRange(prompt, skip, prompt.length), false);
        return reference.isEmpty() ? Optional.empty() : Optional.of(new Case(index, prompt, promptText, reference));
    }

    /**
     * Greedy answers from the model {@link AdapterInference} loaded (with its adapter, if any), continuing
     * each prompt's own token ids: decoding a templated prompt and encoding it again is not always the
     * same ids (special tokens, unknown characters), and the answer must follow what was trained.
     */
    private static List<String> answers(AdapterInference inference, List<Case> cases, SamplingOptions options) {
        try (inference) {
            TextTokenizer tokenizer = inference.tokenizer();
            Generator generator = new Generator(inference.model(), tokenizer.eosId());
            List<String> out = new ArrayList<>();
            for (Case c : cases) {
                int[] generated = generator.generateTimed(c.promptIds(), options).tokenIds();
                out.add(tokenizer.decode(generated, true).strip());
            }
            return out;
        }
    }

    private static Map<String, Object> answer(String text, TaskScorer.Score s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("answer", text);
        m.put("exact_match", s.exactMatch());
        m.put("contains", s.contains());
        m.put("extracted_match", s.extractedMatch());
        m.put("rouge_l", s.rougeL());
        return m;
    }

    private static FineTuningSucceeded.TaskScores scores(TaskScorer.Summary s) {
        return new FineTuningSucceeded.TaskScores(s.exactMatch(), s.contains(), s.extractedMatch(), s.rougeL());
    }

    private static String write(Object value) {
        return CoreJson.write(value);
    }
}
