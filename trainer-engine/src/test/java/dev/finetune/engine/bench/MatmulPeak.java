package dev.finetune.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.runtime.EngineRuntime;

/** The fp32 matmul rate libtorch reaches in this JVM: the denominator of every utilisation figure. */
final class MatmulPeak {

    record Result(int n, double bestGflops, double meanGflops, double bestMillis) {}

    private MatmulPeak() {}

    /** {@code n x n @ n x n} in float32, best of {@code reps} after one warm-up call. */
    static Result measure(int n, int reps) {
        return EngineRuntime.noGrad(() -> {
            try (NDManager m = EngineRuntime.newManager("cpu")) {
                NDArray a = m.randomNormal(0, 1, new Shape(n, n), ai.djl.ndarray.types.DataType.FLOAT32);
                NDArray b = m.randomNormal(0, 1, new Shape(n, n), ai.djl.ndarray.types.DataType.FLOAT32);
                a.matMul(b).close();
                double flops = 2.0 * n * n * n;
                long best = Long.MAX_VALUE;
                long total = 0;
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    long dt = System.nanoTime() - t0;
                    c.close();
                    best = Math.min(best, dt);
                    total += dt;
                }
                return new Result(n, flops / best, flops / (total / (double) reps), best / 1e6);
            }
        });
    }
}
