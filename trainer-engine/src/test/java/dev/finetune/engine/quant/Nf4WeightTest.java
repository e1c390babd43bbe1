package dev.finetune.engine.quant;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class Nf4WeightTest {

    private static float maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    @Test
    void dequantizesLikeTheHostInFp32() {
        Nf4Options[] variants = {
            Nf4Options.DEFAULT,
            Nf4Options.DEFAULT.withoutDoubleQuant(),
            new Nf4Options(64, true, 8), // several absmax blocks, the last one partial
        };
        float[] w = TestWeights.normal(37 * 53, 0.02, 21); // odd size, partial final block
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Nf4Options opts : variants) {
                Nf4Tensor t = Nf4Tensor.quantize(new long[] {37, 53}, w, opts);
                try (Nf4Weight weight = Nf4Weight.upload(t, manager, DataType.FLOAT32);
                     NDArray dense = weight.dequantize()) {
                    assertThat(dense.getShape()).isEqualTo(new Shape(37, 53));
                    assertThat(dense.getDataType()).isEqualTo(DataType.FLOAT32);
                    assertThat(maxAbsDiff(dense.toFloatArray(), t.dequantize())).as("%s", opts).isLessThanOrEqualTo(1e-6f);
                }
            }
        }
    }

    @Test
    void dequantizesALargeWeightLikeTheHost() {
        float[] w = TestWeights.normal(512 * 1024, 0.02, 22);
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {512, 1024}, w, Nf4Options.DEFAULT);
        try (NDManager manager = NDManager.newBaseManager();
             Nf4Weight weight = Nf4Weight.upload(t, manager, DataType.FLOAT32)) {
            assertThat(maxAbsDiff(weight.dequantize(manager).toFloatArray(), t.dequantize())).isLessThanOrEqualTo(1e-6f);
            // 4-bit codes + 1 byte per 64 + fp32 scale per 16384 + offset + three small lookup tables
            long n = 512 * 1024;
            assertThat(weight.deviceBytes()).isEqualTo(n / 2 + n / 64 + 4 * (n / 16384) + 4 + 2 * 256 * 4 + 256 * 4);
        }
    }

    @Test
    void feedsAGradientComputationWithoutNeedingAGradientItself() {
        int out = 24;
        int in = 40;
        int batch = 3;
        float[] w = TestWeights.normal(out * in, 0.5, 23);
        float[] xs = TestWeights.normal(batch * in, 1.0, 24);
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {out, in}, w, Nf4Options.DEFAULT);
        float[] dense = t.dequantize();
        try (NDManager manager = NDManager.newBaseManager();
             Nf4Weight weight = Nf4Weight.upload(t, manager, DataType.FLOAT32)) {
            NDArray x = manager.create(xs, new Shape(batch, in));
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray wq = weight.dequantize();
                NDArray y = x.matMul(wq.transpose());
                assertThat(y.getShape()).isEqualTo(new Shape(batch, out));
                collector.backward(y.sum());
            }
            // d sum(x W^T) / dx[b][k] = sum_o W[o][k]
            float[] grad = x.getGradient().toFloatArray();
            for (int b = 0; b < batch; b++) {
                for (int k = 0; k < in; k++) {
                    double expected = 0;
                    for (int o = 0; o < out; o++) {
                        expected += dense[o * in + k];
                    }
                    assertThat((double) grad[b * in + k]).isCloseTo(expected, within(1e-5));
                }
            }
        }
    }

    @Test
    void dequantizesToFp16WithinHalfPrecisionRounding() {
        float[] w = TestWeights.normal(64 * 300, 0.02, 25);
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {64 * 300}, w, Nf4Options.DEFAULT);
        float[] host = t.dequantize();
        try (NDManager manager = NDManager.newBaseManager();
             Nf4Weight weight = Nf4Weight.upload(t, manager, DataType.FLOAT16)) {
            NDArray dense = weight.dequantize();
            assertThat(dense.getDataType()).isEqualTo(DataType.FLOAT16);
            float[] got = dense.toType(DataType.FLOAT32, false).toFloatArray();
            for (int i = 0; i < host.length; i++) {
                // code and absmax each rounded to fp16, then the product: < 2 ulp of fp16 (2^-10 relative)
                assertThat(got[i]).isCloseTo(host[i], within(Math.abs(host[i]) * 2f / 1024 + 1e-7f));
            }
        }
    }

    @Test
    void refusesComputeTypesOtherThanFp32AndFp16NamingTheParameter() {
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {64}, TestWeights.normal(64, 1, 26), Nf4Options.DEFAULT);
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Nf4Weight.upload(t, manager, DataType.BFLOAT16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("computeType");
        }
    }

    @Test
    void handsItsResultToACallersScopeAndKeepsItsOwnArrays() {
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {128}, TestWeights.normal(128, 1, 28), Nf4Options.DEFAULT);
        try (NDManager manager = NDManager.newBaseManager()) {
            Nf4Weight weight;
            NDArray inScope;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                weight = Nf4Weight.upload(t, manager, DataType.FLOAT32);
                inScope = weight.dequantize();
            }
            assertThat(inScope.isReleased()).isTrue();
            try (NDArray again = weight.dequantize()) {
                assertThat(again.toFloatArray()).containsExactly(t.dequantize());
            }
            weight.close();
        }
    }

    @Test
    void refusesToDequantizeAfterClose() {
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {64}, TestWeights.normal(64, 1, 27), Nf4Options.DEFAULT);
        try (NDManager manager = NDManager.newBaseManager()) {
            Nf4Weight weight = Nf4Weight.upload(t, manager, DataType.FLOAT32);
            weight.close();
            assertThatThrownBy(weight::dequantize).isInstanceOf(IllegalStateException.class);
        }
    }
}
