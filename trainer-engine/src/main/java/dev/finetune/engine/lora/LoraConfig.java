package dev.finetune.engine.lora;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.finetune.engine.peft.MethodConfig;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.SettingChecks;
import dev.finetune.settings.TargetModules;

/**
 * LoRA settings with Hugging Face PEFT's meaning for every field: the shared {@link LoraSettings}
 * (see {@link #from}) plus what only PEFT's files carry (a target regex, per-module patterns,
 * a layer subset, a fractional alpha). Its rules are the settings' rules, with the same messages.
 *
 * @param r rank of the update {@code B A}; PEFT's default 8 is a good start, 16-64 for specialised domains
 * @param loraAlpha scaling numerator: the update is multiplied by {@code alpha / r} ({@code alpha / sqrt(r)} with rsLoRA)
 * @param loraDropout dropout on the LoRA input during training (0 disables it)
 * @param targetModules module names ({@code q_proj}) matched as a suffix, as PEFT does; or the single
 *                      entry {@code all-linear} (every linear layer but the output head)
 * @param targetRegex alternatively a regex that must match the whole module path (PEFT's string form); null if unused
 * @param useRslora rank-stabilised scaling {@code alpha / sqrt(r)}
 * @param useDora weight-decomposed LoRA (DoRA, PEFT's {@code use_dora}): each output feature of the adapted
 *                weight is rescaled to a trained magnitude, see {@link Dora}
 * @param rankPattern per-module rank overrides, keys matched against the module path like PEFT's rank_pattern
 * @param alphaPattern per-module alpha overrides (PEFT's alpha_pattern)
 * @param layersToTransform only these layer indices, or null for all
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules, String targetRegex,
                         boolean useRslora, boolean useDora, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern,
                         List<Integer> layersToTransform) implements MethodConfig {

    public static final String ALL_LINEAR = TargetModules.ALL_LINEAR;

    public LoraConfig {
        SettingChecks.atLeast("lora_r", r, 1);
        SettingChecks.positive("lora_alpha", loraAlpha);
        SettingChecks.fraction("lora_dropout", loraDropout);
        targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
        if (targetModules.isEmpty() && targetRegex == null) {
            throw new IllegalArgumentException("target_modules must name at least one module, or be 'all-linear'");
        }
        if (targetRegex != null) {
            Pattern.compile(targetRegex);
        }
        // keep the order the patterns came in (adapter_config.json's): PEFT applies the first key that
        // matches, so overlapping keys need their order; Map.copyOf's order changes from JVM to JVM
        rankPattern = rankPattern == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(rankPattern));
        alphaPattern = alphaPattern == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(alphaPattern));
        rankPattern.forEach((k, v) -> {
            if (v == null || v <= 0) {
                throw new IllegalArgumentException("rank_pattern['" + k + "'] must be > 0 but was " + v);
            }
        });
        layersToTransform = layersToTransform == null ? null : List.copyOf(layersToTransform);
    }

    /** {@link LoraSettings#DEFAULTS}, the platform's and the CLI's. */
    public static LoraConfig defaults() {
        return from(LoraSettings.DEFAULTS);
    }

    /** The engine's config for the shared settings. */
    public static LoraConfig from(LoraSettings s) {
        return new LoraConfig(s.r(), s.alpha(), s.dropout(), s.targetModules().asList(), null, s.useRslora(),
                s.useDora(), Map.of(), Map.of(), null);
    }

    public static LoraConfig of(int r, double alpha, double dropout, List<String> targets) {
        return new LoraConfig(r, alpha, dropout, targets, null, false, false, Map.of(), Map.of(), null);
    }

    public LoraConfig withRslora(boolean on) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, targetRegex, on, useDora, rankPattern,
                alphaPattern, layersToTransform);
    }

    public LoraConfig withDora(boolean on) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, targetRegex, useRslora, on, rankPattern,
                alphaPattern, layersToTransform);
    }

    public LoraConfig withPatterns(Map<String, Integer> ranks, Map<String, Double> alphas) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, targetRegex, useRslora, useDora, ranks, alphas,
                layersToTransform);
    }

    public boolean allLinear() {
        return targetModules.size() == 1 && ALL_LINEAR.equals(targetModules.get(0));
    }

    /** Whether the module at {@code path} (e.g. {@code model.layers.0.self_attn.q_proj}) gets LoRA. */
    public boolean targets(String path, int layerIndex) {
        if (layersToTransform != null && !layersToTransform.contains(layerIndex)) {
            return false;
        }
        if (targetRegex != null) {
            return Pattern.matches(targetRegex, path);
        }
        if (allLinear()) {
            return !path.equals("lm_head");
        }
        return targetModules.stream().anyMatch(t -> path.equals(t) || path.endsWith("." + t));
    }

    public int rankFor(String path) {
        return Objects.requireNonNullElse(PatternKeys.lookup(rankPattern, path), r);
    }

    public double alphaFor(String path) {
        return Objects.requireNonNullElse(PatternKeys.lookup(alphaPattern, path), loraAlpha);
    }

    @Override
    public Map<String, Object> hyperparameters() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lora_r", r);
        out.put("lora_alpha", loraAlpha);
        out.put("lora_dropout", loraDropout);
        out.put("target_modules", targetRegex != null ? targetRegex : targetModules);
        out.put("use_rslora", useRslora);
        out.put("use_dora", useDora);
        return out;
    }

    /** PEFT's scaling for a module: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    public double scalingFor(String path) {
        int rank = rankFor(path);
        double alpha = alphaFor(path);
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }
}
