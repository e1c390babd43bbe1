package dev.finetune.settings;

/** Where bottleneck adapters sit in each decoder layer (AdapterHub's two classic configurations). */
public enum AdapterKind implements WireNamed {
    /** After the MLP only (AdapterHub's {@code seq_bn}): half the parameters of Houlsby at about the same quality. */
    PFEIFFER("pfeiffer"),
    /** After attention and after the MLP (AdapterHub's {@code double_seq_bn}). */
    HOULSBY("houlsby");

    private final String wireName;

    AdapterKind(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public static AdapterKind fromWire(String wire) {
        return WireNamed.fromWire(AdapterKind.class, wire, "adapter_kind");
    }
}
