package dev.finetune.engine.bench;

import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.quant.Nf4Storage;
import java.util.List;

/** One training configuration the benchmark measures. */
enum BenchCase {
    LORA_FP32("lora", "(a) LoRA, fp32 base, full graph", false, false, 0.50, 1.1),
    QLORA_RECOMPUTE("qlora-recompute", "(b) QLoRA NF4, block recompute", true, true, 0.40, 1.0),
    QLORA_FULL("qlora-full", "(c) QLoRA NF4, full graph", true, false, 0.40, Double.NaN),
    LORA_FP32_RECOMPUTE("lora-recompute", "(d) LoRA, fp32 base, block recompute", false, true, 0.50, Double.NaN);

    static final List<String> DEFAULT_ORDER = List.of("lora", "qlora-recompute", "qlora-full", "lora-recompute");

    final String id;
    final String label;
    final boolean nf4;
    final boolean recompute;
    /** Target fraction of the measured matmul peak. */
    final double targetUtilisation;
    /**
     * Target of ours / theirs against the Hugging Face peer ({@link HfPeer}: PEFT LoRA fp32, with gradient
     * checkpointing when this case recomputes); NaN where the issue sets none.
     */
    final double targetVsPeer;

    BenchCase(String id, String label, boolean nf4, boolean recompute, double targetUtilisation, double targetVsPeer) {
        this.id = id;
        this.label = label;
        this.nf4 = nf4;
        this.recompute = recompute;
        this.targetUtilisation = targetUtilisation;
        this.targetVsPeer = targetVsPeer;
    }

    ModelOptions options() {
        // as FineTuneSession holds a QLoRA base: the random model's embedding and head stand for a 16-bit checkpoint's (float16)
        return nf4 ? ModelOptions.of(Nf4Storage.DEFAULT).withHalfEmbeddings(true) : ModelOptions.dense();
    }

    static BenchCase byId(String id) {
        for (BenchCase c : values()) {
            if (c.id.equals(id.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown bench case '" + id + "', known: " + DEFAULT_ORDER);
    }
}
