package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * A named slot for one linear layer of the model ({@code model.layers.3.self_attn.q_proj}).
 * Adapter methods swap what sits in the slot (a LoRA wrapper around the frozen base) without
 * the attention or MLP code knowing.
 */
public final class Projection implements AutoCloseable {

    private final String path;
    private final String name;
    private Linear linear;

    public Projection(String path, Linear linear) {
        this.path = path;
        this.name = path.substring(path.lastIndexOf('.') + 1);
        this.linear = linear;
    }

    /** The Hugging Face module path, e.g. {@code model.layers.0.self_attn.q_proj}. */
    public String path() {
        return path;
    }

    /** The short module name, e.g. {@code q_proj}. */
    public String name() {
        return name;
    }

    public Linear linear() {
        return linear;
    }

    public void replace(Linear replacement) {
        this.linear = replacement;
    }

    public NDArray forward(NDArray x) {
        return linear.forward(x);
    }

    @Override
    public void close() {
        linear.close();
    }
}
