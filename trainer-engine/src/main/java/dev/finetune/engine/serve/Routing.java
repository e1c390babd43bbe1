package dev.finetune.engine.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.lora.LoraLinear;
import dev.finetune.engine.model.DenseLinear;
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
    private final Map<RoutedLinear.Group, Fused> fusedByGroup = new HashMap<>();
    /** Whether every row uses the same adapter. */
    private final boolean uniform;
    private NDManager manager;

    Routing(List<ServedAdapter> rows) {
        this.rows = rows.toArray(new ServedAdapter[0]);
        this.uniform = Arrays.stream(this.rows).allMatch(a -> a == this.rows[0]);
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

    /** Each row's LoRA layer on {@code layer} (null where the row has none). */
    private LoraLinear[] perRow(RoutedLinear layer) {
        return loraByLayer.computeIfAbsent(layer, l -> {
            LoraLinear[] out = new LoraLinear[rows.length];
            for (int i = 0; i < rows.length; i++) {
                out[i] = rows[i] == null ? null : rows[i].lora.get(l.path());
            }
            return out;
        });
    }

    NDArray applyLora(RoutedLinear layer, NDArray x, NDArray baseOutput) {
        LoraLinear[] per = perRow(layer);
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
        if (other == 0 && layer.group() != null) {
            NDArray update = groupUpdate(layer, x);
            if (update != null) {
                return baseOutput.add(update);
            }
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

    /**
     * {@code layer}'s LoRA update computed with the rest of its {@link RoutedLinear.Group} (the projections that read
     * the same input, or the projection alone): one matmul through the stacked A factors, one through the
     * block-diagonal B factors with each adapter's scaling folded in, split per projection. The first member to see
     * {@code x} computes the whole group; the others take their part. Null when fewer than two members of a group
     * (none of a group of one) have LoRA in any row, or a row has DoRA on the group.
     */
    private NDArray groupUpdate(RoutedLinear layer, NDArray x) {
        RoutedLinear.Group group = layer.group();
        Fused fused = fusedByGroup.computeIfAbsent(group, this::fuse);
        if (fused == NOT_FUSED) {
            return null;
        }
        if (fused.input != x) {
            NDArray update = uniform
                    ? DenseLinear.linear(DenseLinear.linear(x, fused.weights[0]), fused.weights[1])
                    : x.matMul(fused.weights[0]).matMul(fused.weights[1]);
            fused.parts = fused.splits.length == 0 ? new NDList(update)
                    : update.split(fused.splits, update.getShape().dimension() - 1);
            fused.input = x;
            if (!uniform) {
                GATHERED.incrementAndGet();
            }
        }
        return fused.parts.get(layer.member());
    }

    /**
     * The group's factors. One adapter on every row: A stacked {@code [R, in]}, {@code scaling * B}
     * block-diagonal {@code [out_1 + .. + out_n, R]} (R the members' ranks summed). Rows on different adapters:
     * per row {@code A^T} {@code [B, in, R]} and {@code (scaling * B)^T} {@code [B, R, outs]}, each
     * member's block padded to its largest rank; zeros where a row has no LoRA on a member, so its update is 0.
     */
    private Fused fuse(RoutedLinear.Group group) {
        RoutedLinear[] members = group.members;
        LoraLinear[][] per = new LoraLinear[members.length][];
        int[] ranks = new int[members.length];
        int withLora = 0;
        for (int m = 0; m < members.length; m++) {
            per[m] = perRow(members[m]);
            for (LoraLinear l : per[m]) {
                if (l != null && !l.isPlain()) {
                    return NOT_FUSED;
                }
                ranks[m] = Math.max(ranks[m], l == null ? 0 : l.rank());
            }
            withLora += ranks[m] > 0 ? 1 : 0;
        }
        if (withLora == 0 || (members.length > 1 && withLora < 2)) {
            // a group with LoRA on one member only (a q_proj-only adapter) would compute zero columns for the others
            return NOT_FUSED;
        }
        int total = Arrays.stream(ranks).sum();
        long[] splits = new long[members.length - 1];
        for (int m = 1; m < members.length; m++) {
            splits[m - 1] = (m == 1 ? 0 : splits[m - 2]) + members[m - 1].outFeatures();
        }
        if (uniform) {
            // one adapter's stacked factors do not depend on the batch: built once per adapter, kept with it
            return new Fused(rows[0].fusedFactors(group, target -> factors(members, per, ranks, total, target, 0)), splits);
        }
        if (manager == null) {
            manager = NDManager.newBaseManager(x(Arrays.stream(per).flatMap(Arrays::stream).toArray(LoraLinear[]::new))
                    .getDevice());
        }
        if (sameLayout(per, ranks)) {
            return new Fused(stackAdapters(group, members, per, ranks, total), splits);
        }
        return new Fused(factors(members, per, ranks, total, manager, -1), splits);
    }

    /** Whether every row with LoRA on the group has each member at the group's rank (or the group is absent from it). */
    private boolean sameLayout(LoraLinear[][] per, int[] ranks) {
        for (int b = 0; b < rows.length; b++) {
            if (absent(per, b)) {
                continue;
            }
            for (int m = 0; m < per.length; m++) {
                if ((per[m][b] == null ? 0 : per[m][b].rank()) != ranks[m]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean absent(LoraLinear[][] per, int row) {
        return Arrays.stream(per).allMatch(p -> p[row] == null);
    }

    /**
     * Per-row factors when every row's adapter lays the group out alike: each adapter's own stacked factors (built
     * once, kept with it), stacked along the batch, zeros for rows without LoRA on the group.
     */
    private NDArray[] stackAdapters(RoutedLinear.Group group, RoutedLinear[] members, LoraLinear[][] per, int[] ranks,
                                    int total) {
        NDArray[] result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList as = new NDList();
            NDList bs = new NDList();
            NDArray[] zeros = null;
            for (int b = 0; b < rows.length; b++) {
                NDArray[] f;
                if (absent(per, b)) {
                    if (zeros == null) {
                        long outs = Arrays.stream(members).mapToLong(RoutedLinear::outFeatures).sum();
                        zeros = new NDArray[] {manager.zeros(new Shape(total, members[0].inFeatures())),
                            manager.zeros(new Shape(outs, total))};
                    }
                    f = zeros;
                } else {
                    int row = b;
                    f = rows[b].fusedFactors(group, target -> factors(members, per, ranks, total, target, row));
                }
                as.add(f[0]);
                bs.add(f[1]);
            }
            result = new NDArray[] {NDArrays.stack(as, 0).transpose(0, 2, 1).duplicate(),
                NDArrays.stack(bs, 0).transpose(0, 2, 1).duplicate()};
            NDScope.unregister(result);
        }
        for (NDArray r : result) {
            r.attach(manager);
        }
        return result;
    }

    /**
     * {@link #fuse}'s factors on {@code manager}: row {@code only}'s own ({@code [R, in]} and the scaled
     * {@code [outs, R]}) when it is 0 or more, else every row's, stacked and transposed for the batched matmul.
     */
    private NDArray[] factors(RoutedLinear[] members, LoraLinear[][] per, int[] ranks, int total, NDManager manager,
                              int only) {
        int in = members[0].inFeatures();
        NDArray[] result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int samples = only >= 0 ? 1 : rows.length;
            NDList as = new NDList();
            NDList bs = new NDList();
            for (int i = 0; i < samples; i++) {
                int b = only >= 0 ? only : i;
                NDList a = new NDList();
                NDList blocks = new NDList();
                int column = 0;
                for (int m = 0; m < members.length; m++) {
                    LoraLinear l = per[m][b];
                    int out = members[m].outFeatures();
                    if (ranks[m] == 0) {
                        continue;
                    }
                    int r = l == null ? 0 : l.rank();
                    NDList aRows = new NDList();
                    NDList bCols = new NDList();
                    if (r > 0) {
                        aRows.add(l.loraA());
                        // the scaling folded into B: one native call fewer per step than scaling the rank-r
                        // intermediate, and the same product within float32 rounding
                        bCols.add(l.loraB().mul(l.scaling()));
                    }
                    if (r < ranks[m]) {
                        aRows.add(manager.zeros(new Shape(ranks[m] - r, in)));
                        bCols.add(manager.zeros(new Shape(out, ranks[m] - r)));
                    }
                    a.add(NDArrays.concat(aRows, 0));
                    NDList row = new NDList();
                    if (column > 0) {
                        row.add(manager.zeros(new Shape(out, column)));
                    }
                    row.add(NDArrays.concat(bCols, 1));
                    if (column + ranks[m] < total) {
                        row.add(manager.zeros(new Shape(out, total - column - ranks[m])));
                    }
                    blocks.add(NDArrays.concat(row, 1));
                    column += ranks[m];
                }
                // members without LoRA in any row keep their columns of the output, as zeros
                NDList outRows = new NDList();
                int block = 0;
                for (int m = 0; m < members.length; m++) {
                    outRows.add(ranks[m] == 0 ? manager.zeros(new Shape(members[m].outFeatures(), total)) : blocks.get(block++));
                }
                as.add(NDArrays.concat(a, 0));
                bs.add(NDArrays.concat(outRows, 0));
            }
            result = only >= 0
                    ? new NDArray[] {as.head().duplicate(), bs.head().duplicate()}
                    : new NDArray[] {NDArrays.stack(as, 0).transpose(0, 2, 1).duplicate(),
                        NDArrays.stack(bs, 0).transpose(0, 2, 1).duplicate()};
            NDScope.unregister(result);
        }
        for (NDArray r : result) {
            r.attach(manager);
        }
        return result;
    }

    /** A group's fused factors and the split of its last update (for the members that have not taken theirs). */
    private static final class Fused {
        final NDArray[] weights;
        final long[] splits;
        NDArray input;
        NDList parts;

        Fused(NDArray[] weights, long[] splits) {
            this.weights = weights;
            this.splits = splits;
        }
    }

    private static final Fused NOT_FUSED = new Fused(null, null);

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
        fusedByGroup.clear();
    }
}
