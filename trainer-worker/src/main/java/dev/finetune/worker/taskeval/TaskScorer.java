package dev.finetune.worker.taskeval;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scores a generated answer against the reference answer, the way task evaluations in
 * lm-evaluation-harness and Hugging Face's {@code evaluate} do it, in plain Java:
 * <ul>
 *   <li><b>exact match</b>: equal after normalising (Unicode NFKC, lower case, whitespace collapsed,
 *   trailing punctuation dropped);</li>
 *   <li><b>contains</b>: the normalised reference occurs in the normalised answer;</li>
 *   <li><b>extracted match</b> (only with an extractor): the last match of the extractor's first
 *   group is the same in both, e.g. GSM8K's {@code ####\s*(-?[\d,.]+)} (thousands separators and a
 *   trailing period ignored); an answer where the extractor finds nothing scores 0;</li>
 *   <li><b>ROUGE-L</b>: the F1 of the longest common subsequence of lower-cased word tokens
 *   (letters and digits), as {@code rouge_score}'s rougeL without stemming.</li>
 * </ul>
 */
public final class TaskScorer {

    /** GSM8K's final-answer line. */
    public static final Pattern GSM8K = Pattern.compile("####\\s*(-?[\\d,]*\\.?\\d+)");

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    /**
     * One answer's scores, each in [0, 1].
     *
     * @param extractedMatch null when the scorer has no extractor
     */
    public record Score(double exactMatch, double contains, Double extractedMatch, double rougeL) {
    }

    /**
     * Mean scores over a set of answers.
     *
     * @param examples how many answers
     * @param extractedMatch null when the scorer has no extractor
     */
    public record Summary(int examples, double exactMatch, double contains, Double extractedMatch, double rougeL) {

        public static Summary of(List<Score> scores) {
            int n = scores.size();
            if (n == 0) {
                return new Summary(0, 0, 0, null, 0);
            }
            boolean extracted = scores.get(0).extractedMatch() != null;
            return new Summary(n, mean(scores.stream().mapToDouble(Score::exactMatch).sum(), n),
                    mean(scores.stream().mapToDouble(Score::contains).sum(), n),
                    extracted ? mean(scores.stream().mapToDouble(Score::extractedMatch).sum(), n) : null,
                    mean(scores.stream().mapToDouble(Score::rougeL).sum(), n));
        }

        private static double mean(double sum, int n) {
            return sum / n;
        }
    }

    private final Pattern extractor;

    /** @param extractor a pattern whose first group is the answer to compare; null scores no extracted match */
    public TaskScorer(Pattern extractor) {
        if (extractor != null && extractor.matcher("").groupCount() < 1) {
            throw new IllegalArgumentException("the answer extractor needs a capturing group: " + extractor);
        }
        this.extractor = extractor;
    }

    public Score score(String prediction, String reference) {
        String p = normalize(prediction);
        String r = normalize(reference);
        double exact = p.equals(r) ? 1 : 0;
        double contains = !r.isEmpty() && p.contains(r) ? 1 : 0;
        Double extracted = null;
        if (extractor != null) {
            Optional<String> want = extract(extractor, reference);
            Optional<String> got = extract(extractor, prediction);
            extracted = want.isPresent() && want.equals(got) ? 1.0 : 0.0;
        }
        return new Score(exact, contains, extracted, rougeL(prediction, reference));
    }

    /** NFKC, lower case, whitespace collapsed to one space, trimmed, trailing {@code .!?} dropped. */
    static String normalize(String text) {
        String s = Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        s = SPACES.matcher(s).replaceAll(" ").strip();
        while (!s.isEmpty() && ".!?".indexOf(s.charAt(s.length() - 1)) >= 0) {
            s = s.substring(0, s.length() - 1).stripTrailing();
        }
        return s;
    }

    /** The last match's first group, without thousands separators or a trailing period. */
    static Optional<String> extract(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text == null ? "" : text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            return Optional.empty();
        }
        String value = last.replace(",", "").strip();
        while (value.endsWith(".")) {
            value = value.substring(0, value.length() - 1);
        }
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** ROUGE-L F1 over lower-cased word tokens; 0 when either side has none. */
    static double rougeL(String prediction, String reference) {
        List<String> p = words(prediction);
        List<String> r = words(reference);
        if (p.isEmpty() || r.isEmpty()) {
            return 0;
        }
        int lcs = lcs(p, r);
        if (lcs == 0) {
            return 0;
        }
        double precision = (double) lcs / p.size();
        double recall = (double) lcs / r.size();
        return 2 * precision * recall / (precision + recall);
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    private static int lcs(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = x.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }
}
