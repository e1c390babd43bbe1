package dev.finetune.serving;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code finetune.serving.*}: what this serving process loads and how much it may hold.
 *
 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param workDir where base models and adapters are copied from object storage before loading
 *        (default {@code <java.io.tmpdir>/finetune-serving})
 * @param baseModels names of the base models this process serves; empty: every base model a
 *        caller's tenant can see, each loaded once, on first use. A model outside the list is a 404
 *        {@code model_not_found} for its base, a 409 {@code base_model_not_served} for its adapters
 * @param preload load the listed base models at start instead of on the first request
 * @param qloraBase the base a QLoRA adapter runs on: {@code nf4} (as it was trained and
 *        evaluated) or {@code dense}
 * @param resolutionTtl how long a model name's resolution (an alias's version) is reused: an alias
 *        move reaches new requests within this time; requests in flight finish on their version
 * @param defaultMaxTokens {@code max_tokens} when a request sets none (capped by the context left)
 * @param cache the adapter cache
 * @param decoder the continuous-batching decoder of each base model
 * @param merged a merged pool: one adapter folded into its base, answering that model alone at the
 *        base's speed (off unless {@code merged.model} is set)
 */
@ConfigurationProperties("finetune.serving")
public record ServingProperties(
        @DefaultValue("cpu") String device,
        Path workDir,
        @DefaultValue List<String> baseModels,
        @DefaultValue("false") boolean preload,
        @DefaultValue("nf4") String qloraBase,
        @DefaultValue("2s") Duration resolutionTtl,
        @DefaultValue("256") int defaultMaxTokens,
        @DefaultValue Cache cache,
        @DefaultValue Decoder decoder,
        @DefaultValue Merged merged) {

    public ServingProperties {
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("finetune.serving.device must be cpu, cuda or cuda:N");
        }
        qloraBase = qloraBase == null ? "nf4" : qloraBase.trim().toLowerCase(Locale.ROOT);
        if (!qloraBase.equals("nf4") && !qloraBase.equals("dense")) {
            throw new IllegalArgumentException("finetune.serving.qlora-base must be nf4 or dense, got '" + qloraBase + "'");
        }
        if (resolutionTtl == null || resolutionTtl.isNegative()) {
            throw new IllegalArgumentException("finetune.serving.resolution-ttl must be zero or positive");
        }
        if (defaultMaxTokens < 1) {
            throw new IllegalArgumentException("finetune.serving.default-max-tokens must be >= 1, got " + defaultMaxTokens);
        }
        baseModels = baseModels == null ? List.of() : List.copyOf(baseModels);
        workDir = workDir == null ? Path.of(System.getProperty("java.io.tmpdir"), "finetune-serving") : workDir;
        merged = merged == null ? new Merged(null, null, Duration.ofSeconds(2)) : merged;
    }

    /** Whether {@code name} is a base model this process serves. */
    public boolean serves(String baseModelName) {
        return baseModels.isEmpty() || baseModels.contains(baseModelName);
    }

    /**
     * @param maxAdapters adapters loaded at once, per process
     * @param maxBytes their files' total size
     * @param pinnedAliases versions that these aliases point at are never evicted (while they do)
     */
    public record Cache(
            @DefaultValue("32") int maxAdapters,
            @DefaultValue("2GB") DataSize maxBytes,
            @DefaultValue("production") List<String> pinnedAliases) {

        public Cache {
            if (maxAdapters < 1) {
                throw new IllegalArgumentException("finetune.serving.cache.max-adapters must be >= 1, got " + maxAdapters);
            }
            if (maxBytes == null || maxBytes.toBytes() < 1) {
                throw new IllegalArgumentException("finetune.serving.cache.max-bytes must be positive");
            }
            pinnedAliases = pinnedAliases == null ? List.of() : List.copyOf(pinnedAliases);
        }
    }

    /**
     * @param maxBatchRows requests decoded together in one forward step
     * @param maxKvTokens tokens of KV cache all rows together may hold; a request that does not
     *        fit is a 429 with {@code Retry-After}, never an out-of-memory crash
     */
    public record Decoder(
            @DefaultValue("16") int maxBatchRows,
            @DefaultValue("32768") int maxKvTokens) {

        public Decoder {
            if (maxBatchRows < 1) {
                throw new IllegalArgumentException("finetune.serving.decoder.max-batch-rows must be >= 1, got " + maxBatchRows);
            }
            if (maxKvTokens < 1) {
                throw new IllegalArgumentException("finetune.serving.decoder.max-kv-tokens must be >= 1, got " + maxKvTokens);
            }
        }
    }

    /**
     * A merged pool: this process pins one adapter of one tenant, folds it into a dense copy of its
     * base at start ({@code ServingModel.loadMerged}) and answers that model alone, at the base's
     * speed. Set {@code model} to turn it on; every other name is a 409 {@code model_not_in_merged_pool}.
     *
     * @param model {@code segment@alias} (follows the alias: a move is merged in the background, then
     *        switched to) or {@code segment/N} (that version, always); null or blank: not a merged pool
     * @param tenant the tenant whose segment {@code model} names: its name or its id
     * @param checkInterval how often a pinned alias is read again; a move is answered from the next
     *        check plus the time the new merge takes
     */
    public record Merged(String model, String tenant, @DefaultValue("2s") Duration checkInterval) {

        public Merged {
            model = model == null || model.isBlank() ? null : model.trim();
            tenant = tenant == null || tenant.isBlank() ? null : tenant.trim();
            if (model != null) {
                boolean alias = model.indexOf('@') > 0 && model.indexOf('/') < 0;
                boolean version = model.matches("[^@/]+/[1-9][0-9]*");
                if (!alias && !version) {
                    throw new IllegalArgumentException("finetune.serving.merged.model must name one adapter, 'segment@alias' "
                            + "(e.g. support@production) or 'segment/N' (e.g. support/3), got '" + model + "'; a base model "
                            + "alone needs no merged pool");
                }
                if (tenant == null) {
                    throw new IllegalArgumentException("finetune.serving.merged.tenant must name the tenant (its name or id) "
                            + "whose segment finetune.serving.merged.model '" + model + "' is");
                }
            }
            if (checkInterval == null || checkInterval.isNegative() || checkInterval.isZero()) {
                throw new IllegalArgumentException("finetune.serving.merged.check-interval must be positive, got " + checkInterval);
            }
        }

        /** Whether this process is a merged pool. */
        public boolean enabled() {
            return model != null;
        }
    }
}
