package dev.finetune.engine.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timings and errors for a 4096x4096 weight; excluded from the default build (tag "bench"). Run with
 * {@code -Dsurefire.excludedGroups= -Dtest=Nf4Benchmark}; figures go to the surefire output file.
 */
@Tag("bench")
class Nf4Benchmark {

    @Test
    void measuresA4096By4096Weight() {
        int n = 4096 * 4096;
        long[] shape = {4096, 4096};
        float[] w = TestWeights.normal(n, 0.02, 99);
        long t0 = System.nanoTime();
        Nf4Tensor t = Nf4Tensor.quantize(shape, w, Nf4Options.DEFAULT);
        long t1 = System.nanoTime();
        float[] host = t.dequantize();
        long t2 = System.nanoTime();
        System.out.printf("host quantize %.0f ms, host dequantize %.0f ms, %.6f bits/param, %d bytes%n",
            (t1 - t0) / 1e6, (t2 - t1) / 1e6, t.bitsPerParameter(), t.storageBytes());
        System.out.println("NF4+DQ  " + QuantError.compare(w, host));
        System.out.println("NF4     " + QuantError.compare(w, Nf4Tensor.quantize(shape, w, Nf4Options.DEFAULT.withoutDoubleQuant()).dequantize()));
        System.out.println("INT4    " + QuantError.compare(w, Int4Absmax.roundTrip(w, 64)));
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
            try (NDManager manager = NDManager.newBaseManager();
                 Nf4Weight weight = Nf4Weight.upload(t, manager, type)) {
                for (int i = 0; i < 3; i++) {
                    weight.dequantize().close();
                }
                int iters = 10;
                double best = Double.MAX_VALUE;
                double total = 0;
                for (int i = 0; i < iters; i++) {
                    try (NDManager step = manager.newSubManager()) {
                        long s = System.nanoTime();
                        NDArray dense = weight.dequantize(step);
                        double ms = (System.nanoTime() - s) / 1e6;
                        assertThat(dense.getShape().size()).isEqualTo(n);
                        best = Math.min(best, ms);
                        total += ms;
                    }
                }
                System.out.printf("device dequantize %s: min %.1f ms, mean %.1f ms, deviceBytes %d%n",
                    type, best, total / iters, weight.deviceBytes());
            }
        }
    }
}
