package dev.finetune.engine.lora;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * PEFT's rule for {@code rank_pattern}/{@code alpha_pattern} keys: a key applies to a module when
 * the module path matches {@code (.*\.)?(key)$}, i.e. the key is a regex for the path's tail on a
 * module boundary. The first matching key in iteration order wins, as in PEFT.
 */
final class PatternKeys {

    private PatternKeys() {}

    static <T> T lookup(Map<String, T> patterns, String path) {
        for (Map.Entry<String, T> e : patterns.entrySet()) {
            if (Pattern.compile("(.*\\.)?(" + e.getKey() + ")$").matcher(path).matches()) {
                return e.getValue();
            }
        }
        return null;
    }
}
