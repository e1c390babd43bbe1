package dev.finetune.engine.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The one place that touches DJL's process-wide state: offline mode, grad mode and seeding.
 *
 * <p>DJL reaches out to the network (telemetry, native downloads) unless told not to, so
 * {@link #init()} sets the offline switches before the engine class is first loaded. Every
 * entry point (CLI, worker, tests) calls it first.
 */
public final class EngineRuntime {

    private static volatile boolean initialised;

    private EngineRuntime() {}

    /** Sets DJL's offline switches and loads the PyTorch engine. Idempotent. */
    public static synchronized void init() {
        if (initialised) {
            return;
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        Engine.getEngine("PyTorch");
        initialised = true;
    }

    /** A fresh manager on the given device ("cpu", "cuda", "cuda:1"). */
    public static NDManager newManager(String device) {
        init();
        return NDManager.newBaseManager(Device.fromName(device));
    }

    /**
     * Autograd recording is a per-thread switch in PyTorch. Forward passes that must not keep
     * a graph (inference, the no-record pass of block recomputation) turn it off explicitly.
     */
    public static void setGradMode(boolean enabled) {
        JniUtils.setGradMode(enabled);
    }

    public static boolean gradMode() {
        return JniUtils.isGradMode();
    }

    /** Sets a parameter's accumulated gradient to zero in place. */
    public static void zeroGradient(ai.djl.ndarray.NDArray parameter) {
        JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) parameter);
    }

    /** Seeds PyTorch's global generator (dropout masks on a GPU, random init on the device). */
    public static void seed(long seed) {
        JniUtils.setSeed(seed);
    }

    /** Runs {@code body} with autograd off on this thread, restoring the previous mode. */
    public static <T> T noGrad(java.util.function.Supplier<T> body) {
        boolean previous = gradMode();
        setGradMode(false);
        try {
            return body.get();
        } finally {
            setGradMode(previous);
        }
    }
}
