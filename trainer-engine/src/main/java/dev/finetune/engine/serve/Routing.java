package dev.finetune.engine.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.lora.LoraLinear;
import dev.finetune.engine.model.SublayerAdapter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which adapter each row of a batch uses, and the per-row updates that follow from it (the Punica / S-LoRA
 * idea): the base matmul is shared, then
 * <ul>
 *   <li>rows all on one adapter get exactly that adapter's layer computation (the single-request path);</li>
 *   <li>rows on different plain LoRA adapters (or none) get {@code x A_row^T * s_row B_row^T} from one batched
 *       matmul over A and B gathered per row (zero-padded to the largest rank; zeros for rows without one),
 *       built once per batch composition and reused every step until a row joins or leaves;</li>
 *   <li>DoRA rows and bottleneck modules run on their own rows' slices.</li>
 * </ul>
 */
final class Routing implements AutoCloseable {

    /** Batched-matmul LoRA updates computed so far in this process (tests check the mixed path ran). */
    static final java.util.concurrent.atomic.AtomicLong GATHERED = new java.util.concurrent.atomic.AtomicLong();

    private final ServedAdapter[] rows;
    private final Map<RoutedLinear, LoraLinear[]> loraByLayer = new HashMap<>();
    private final Map<RoutedLinear, NDArray[]> stacks = new HashMap<>();
    private final Map<String, SublayerAdapter[]> bottleneckBySite = new HashMap<>();
    private NDManager manager;

    Routing(List<ServedAdapter> rows) {
        this.rows = rows.toArray(new ServedAdapter[0]);
    }

    /** Whether this routing serves exactly these adapters, row by row (so its gathered weights can be reused). */
    boolean serves(List<ServedAdapter> adapters) {
        if (adapters.size() != rows.length) {
            return false;
        }
        for (int i = 0; i < rows.length; i++) {
            if (adapters.get(i) != rows[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether no row uses an adapter (the base alone: nothing to route). */
    boolean baseOnly() {
        return Arrays.stream(rows).allMatch(a -> a == null);
    }

    NDArray applyLora(RoutedLinear layer, NDArray x, NDArray baseOutput) {
        LoraLinear[] per = loraByLayer.computeIfAbsent(layer, l -> {
            LoraLinear[] out = new LoraLinear[rows.length];
            for (int i = 0; i < rows.length; i++) {
                out[i] = rows[i] == null ? null : rows[i].lora.get(l.path());
            }
            return out;
        });
        LoraLinear first = per[0];
        boolean same = true;
        boolean any = false;
        int plain = 0;
        int other = 0;
        for (LoraLinear l : per) {
            same &= l == first;
            any |= l != null;
            plain += l != null && l.isPlain() ? 1 : 0;
            other += l != null && !l.isPlain() ? 1 : 0;
        }
        if (!any) {
            return baseOutput;
        }
        if (same) {
            return first.forwardGivenBase(x, baseOutput);
        }
        NDArray y = baseOutput;
        if (plain > 0) {
            // every plain LoRA row's update from one batched matmul; zeros for the other rows
            NDArray[] s = stacks.computeIfAbsent(layer, l -> gather(per, l));
            y = baseOutput.add(x.matMul(s[0]).mul(s[1]).matMul(s[2]));
            GATHERED.incrementAndGet();
        }
        if (other == 0) {
            return y;
        }
        // DoRA rows rescale their own base output: each on its own slice
        NDList out = new NDList(rows.length);
        for (int b = 0; b < rows.length; b++) {
            NDIndex row = new NDIndex("{}:{}", b, b + 1);
            boolean dora = per[b] != null && !per[b].isPlain();
            out.add(dora ? per[b].forwardGivenBase(x.get(row), baseOutput.get(row)) : y.get(row));
        }
        return NDArrays.concat(out, 0);
    }

    NDArray applyBottleneck(RoutedSublayer site, NDArray x) {
        SublayerAdapter[] per = bottleneckBySite.computeIfAbsent(site.key(), k -> {
            SublayerAdapter[] out = new SublayerAdapter[rows.length];
            for (int i = 0; i < rows.length; i++) {
                out[i] = rows[i] == null ? null : rows[i].bottleneck.get(k);
            }
            return out;
        });
        SublayerAdapter first = per[0];
        boolean same = true;
        boolean any = false;
        for (SublayerAdapter m : per) {
            same &= m == first;
            any |= m != null;
        }
        if (!any) {
            return x;
        }
        if (same) {
            return first.apply(x);
        }
        NDList out = new NDList(rows.length);
        for (int b = 0; b < rows.length; b++) {
            NDArray row = x.get(new NDIndex("{}:{}", b, b + 1));
            out.add(per[b] == null ? row : per[b].apply(row));
        }
        return NDArrays.concat(out, 0);
    }

    /**
     * Per-row {@code A^T} ({@code [B, in, r]}), scaling ({@code [B, 1, 1]}) and {@code B^T} ({@code [B, r, out]}),
     * padded with zeros to the largest rank; rows without LoRA on this layer get zeros, so their update is 0.
     */
    private NDArray[] gather(LoraLinear[] per, RoutedLinear layer) {
        int rank = Arrays.stream(per).filter(l -> l != null && l.isPlain()).mapToInt(LoraLinear::rank).max().orElseThrow();
        int in = layer.inFeatures();
        int out = layer.outFeatures();
        NDArray[] result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            if (manager == null) {
                manager = NDManager.newBaseManager(x(per).getDevice());
            }
            NDList as = new NDList();
            NDList bs = new NDList();
            float[] scaling = new float[per.length];
            for (int i = 0; i < per.length; i++) {
                LoraLinear l = per[i];
                if (l == null || !l.isPlain()) {
                    as.add(manager.zeros(new Shape(in, rank)));
                    bs.add(manager.zeros(new Shape(rank, out)));
                    continue;
                }
                NDArray a = l.loraA().transpose();
                NDArray b = l.loraB().transpose();
                if (l.rank() < rank) {
                    a = a.concat(manager.zeros(new Shape(in, rank - l.rank())), 1);
                    b = b.concat(manager.zeros(new Shape(rank - l.rank(), out)), 0);
                }
                as.add(a);
                bs.add(b);
                scaling[i] = (float) l.scaling();
            }
            result = new NDArray[] {NDArrays.stack(as, 0), manager.create(scaling, new Shape(per.length, 1, 1)),
                NDArrays.stack(bs, 0)};
            NDScope.unregister(result);
        }
        for (NDArray r : result) {
            r.attach(manager);
        }
        return result;
    }

    private static NDArray x(LoraLinear[] per) {
        return Arrays.stream(per).filter(l -> l != null).findFirst().orElseThrow().loraA();
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
            manager = null;
        }
        stacks.clear();
    }
}
