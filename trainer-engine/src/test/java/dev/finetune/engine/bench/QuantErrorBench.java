package dev.finetune.engine.bench;

import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.quant.Int4Absmax;
import dev.finetune.engine.quant.Nf4Options;
import dev.finetune.engine.quant.Nf4Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reconstruction error of the 4-bit formats on real weights: every 2-D projection tensor
 * ({@code *_proj.weight}) of a checkpoint, aggregated over the checkpoint (sums of squares over all
 * elements, so large tensors weigh by their size, as they do in the model).
 */
final class QuantErrorBench {

    /** Error of one format over one checkpoint. */
    record Row(String checkpoint, String format, int tensors, long params, double relativeL2, double rmse,
               double maxAbs, double bitsPerParam) {}

    private QuantErrorBench() {}

    static List<Row> measure(String label, Path dir) {
        Acc nf4dq = new Acc();
        Acc nf4 = new Acc();
        Acc int4 = new Acc();
        int tensors = 0;
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            for (String name : new TreeSet<>(ckpt.tensorNames())) {
                if (!name.endsWith("_proj.weight")) {
                    continue;
                }
                HostTensor t = ckpt.tensor(name);
                if (t.rank() != 2) {
                    continue;
                }
                tensors++;
                float[] w = t.data();
                Nf4Tensor q = Nf4Tensor.quantize(t.shape(), w, Nf4Options.DEFAULT);
                nf4dq.add(w, q.dequantize(), q.storageBytes());
                Nf4Tensor q2 = Nf4Tensor.quantize(t.shape(), w, Nf4Options.DEFAULT.withoutDoubleQuant());
                nf4.add(w, q2.dequantize(), q2.storageBytes());
                int blocks = (w.length + 63) / 64;
                int4.add(w, Int4Absmax.roundTrip(w, 64), (w.length + 1) / 2 + 4L * blocks);
            }
        }
        List<Row> rows = new ArrayList<>();
        rows.add(nf4dq.row(label, "NF4 + double quant (bnb default)", tensors));
        rows.add(nf4.row(label, "NF4, fp32 absmax", tensors));
        rows.add(int4.row(label, "int4 absmax, block 64", tensors));
        return rows;
    }

    private static final class Acc {
        double sse;
        double refSq;
        double maxAbs;
        long n;
        long bytes;

        void add(float[] ref, float[] approx, long storageBytes) {
            for (int i = 0; i < ref.length; i++) {
                double d = (double) approx[i] - ref[i];
                sse += d * d;
                refSq += (double) ref[i] * ref[i];
                maxAbs = Math.max(maxAbs, Math.abs(d));
            }
            n += ref.length;
            bytes += storageBytes;
        }

        Row row(String ckpt, String format, int tensors) {
            return new Row(ckpt, format, tensors, n, Math.sqrt(sse / refSq), Math.sqrt(sse / n), maxAbs,
                    8.0 * bytes / n);
        }
    }
}
