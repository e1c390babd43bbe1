package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.List;

/** Llama's SwiGLU MLP: {@code down(silu(gate(x)) * up(x))}. */
public final class FeedForward implements AutoCloseable {

    final Projection gate;
    final Projection up;
    final Projection down;

    FeedForward(Projection gate, Projection up, Projection down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    public List<Projection> projections() {
        return List.of(gate, up, down);
    }

    NDArray forward(NDArray x) {
        NDArray g = gate.forward(x);
        NDArray silu = g.mul(Activation.sigmoid(g));
        return down.forward(silu.mul(up.forward(x)));
    }

    @Override
    public void close() {
        gate.close();
        up.close();
        down.close();
    }
}
