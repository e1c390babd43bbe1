package dev.finetune.engine.cli;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The real flag a mistyped one was most likely meant to be, by edit distance (optimal string
 * alignment: insertions, deletions, substitutions and swaps of neighbours each cost 1, so
 * {@code --modle} is one edit from {@code --model}). Nothing is suggested unless a candidate is close:
 * a wild guess is worse than none.
 */
final class FlagSuggestion {

    private FlagSuggestion() {}

    /** The candidate closest to {@code typed}, or empty when none is within {@link #tolerance} edits. */
    static Optional<String> closest(String typed, Collection<String> candidates) {
        String word = bare(typed);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(word, bare(candidate));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= tolerance(word) ? Optional.of(best) : Optional.empty();
    }

    /**
     * Edits allowed for a word of this length: one for short words, two up to eight letters, three
     * beyond; never as many as the word has letters (then every short name would be "close").
     */
    static int tolerance(String word) {
        int allowed = word.length() <= 4 ? 1 : word.length() <= 8 ? 2 : 3;
        return Math.min(allowed, word.length() - 1);
    }

    /** Optimal string alignment distance between two words. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** {@code --Max-Steps=3} as {@code max-steps}: no leading dashes, no value, one case. */
    private static String bare(String flag) {
        int eq = flag.indexOf('=');
        String name = eq < 0 ? flag : flag.substring(0, eq);
        int start = 0;
        while (start < name.length() && name.charAt(start) == '-') {
            start++;
        }
        return name.substring(start).toLowerCase(Locale.ROOT);
    }
}
