package dev.finetune.settings;

/**
 * How the learning rate evolves after a linear warm-up from 0, with Hugging Face's
 * {@code get_scheduler} meaning: constant, linear decay to 0, or half-cosine decay to 0.
 */
public enum LrScheduler implements WireNamed {
    CONSTANT("constant"),
    LINEAR("linear"),
    COSINE("cosine");

    private final String wireName;

    LrScheduler(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public static LrScheduler fromWire(String wire) {
        return WireNamed.fromWire(LrScheduler.class, wire, "lr_scheduler");
    }
}
