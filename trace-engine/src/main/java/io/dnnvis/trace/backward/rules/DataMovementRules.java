package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.Tensor;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.List;

/**
 * Rules of the ops that move data without arithmetic (Where, Expand, Tile, Gather, GatherElements,
 * DepthToSpace, SpaceToDepth): each sends the signal back to where the data came from, adding where
 * one input element reached several outputs.
 */
public final class DataMovementRules {

    private DataMovementRules() {
    }

    /** Where: the signal goes to X where the condition holds and to Y elsewhere; the condition gets none. */
    public static final class Where implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            GraphEmitter e = ctx.emit();
            String g = ctx.signal(0).orElseThrow();
            String condition = ctx.input(0);
            long[] out = ctx.shape(ctx.output(0));
            if (ctx.needsSignal(1)) {
                String gx = e.op("Where", List.of(condition, g, e.scalar(0f)));
                ctx.send(1, e.unbroadcast(gx, out, ctx.shape(ctx.input(1))));
            }
            if (ctx.needsSignal(2)) {
                String gy = e.op("Where", List.of(condition, e.scalar(0f), g));
                ctx.send(2, e.unbroadcast(gy, out, ctx.shape(ctx.input(2))));
            }
        }
    }

    /** Expand: summed over the axes the input was broadcast along. */
    public static final class Expand implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            ctx.send(0, ctx.emit().unbroadcast(ctx.signal(0).orElseThrow(), ctx.shape(ctx.output(0)),
                    ctx.shape(ctx.input(0))));
        }
    }

    /** Tile: each axis split into {@code [repeats, dim]} and the tiles summed. */
    public static final class Tile implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            long[] x = ctx.shape(ctx.input(0));
            long[] y = ctx.shape(ctx.output(0));
            long[] repeats = ctx.constant(ctx.input(1)).map(Tensor::toLongArray)
                    .orElseThrow(() -> ctx.unsupported("Tile repeats that are not constant"));
            if (repeats.length != x.length) {
                throw ctx.unsupported("Tile repeats of length " + repeats.length + " for an input of rank " + x.length);
            }
            long[] split = new long[2 * x.length + 1];
            long[] tileAxes = new long[x.length];
            split[0] = -1;
            for (int k = 0; k < x.length; k++) {
                if (repeats[k] * x[k] != y[k]) {
                    throw ctx.unsupported("Tile repeats " + repeats[k] + " along axis " + k + " do not give " + y[k]);
                }
                split[2 * k + 1] = repeats[k];
                split[2 * k + 2] = x[k];
                tileAxes[k] = 2 * k + 1;
            }
            GraphEmitter e = ctx.emit();
            String tiles = e.reshape(ctx.signal(0).orElseThrow(), split);
            ctx.send(0, e.reshapeSignal(e.reduceSum(tiles, tileAxes), x));
        }
    }

    /** Gather on the data: the signal of each index goes back to the row it read; repeated indices add. */
    public static final class Gather implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            if (ctx.needsSignal(1)) {
                throw ctx.unsupported("Gather indices that carry signal");
            }
            long[] data = ctx.shape(ctx.input(0));
            int axis = normalisedAxis(ctx, data.length);
            int dim = (int) data[axis];
            int[] index = indices(ctx, dim);
            long before = 1;
            for (int k = 0; k < axis; k++) {
                before *= data[k];
            }
            long after = 1;
            for (int k = axis + 1; k < data.length; k++) {
                after *= data[k];
            }
            GraphEmitter e = ctx.emit();
            String rows = e.reshape(ctx.signal(0).orElseThrow(), -1, before, index.length, after);
            String back = AxisMaps.adjoint(e, rows, 4, 2, AxisMaps.gather(index, dim));
            ctx.send(0, e.reshapeSignal(back, data));
        }
    }

    /**
     * GatherElements: each output element's signal goes back to the element it read, through a
     * constant one-hot of the indices along the axis (repeated indices add); the data positions no
     * index reaches along the other axes get zeros.
     */
    public static final class GatherElements implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            if (ctx.needsSignal(1)) {
                throw ctx.unsupported("GatherElements indices that carry signal");
            }
            long[] data = ctx.shape(ctx.input(0));
            long[] q = ctx.shape(ctx.input(1));
            int rank = data.length;
            int axis = normalisedAxis(ctx, rank);
            int dim = (int) data[axis];
            int[] index = indices(ctx, dim);
            float[] oneHot = new float[index.length * dim];
            for (int p = 0; p < index.length; p++) {
                oneHot[p * dim + index[p]] = 1f;
            }
            GraphEmitter e = ctx.emit();
            long[] withDim = new long[rank + 1];
            System.arraycopy(q, 0, withDim, 0, rank);
            withDim[rank] = dim;
            long[] column = new long[rank + 2];
            column[0] = -1;
            System.arraycopy(q, 0, column, 1, rank);
            column[rank + 1] = 1;
            String spread = e.mul(e.reshape(ctx.signal(0).orElseThrow(), column), e.constant(withDim, oneHot));
            String summed = e.reduceSum(spread, axis + 1);
            // [B, q with q[axis] = 1, dim]: move the last axis into the axis' place
            long[] perm = new long[rank + 2];
            for (int k = 0; k <= rank; k++) {
                perm[k] = k;
            }
            perm[axis + 1] = rank + 1;
            perm[rank + 1] = axis + 1;
            String s = e.transpose(summed, perm);
            // shape now [B, q_0, .., dim (at axis), .., q_{r-1}, 1]
            long[] placed = new long[rank + 1];
            placed[0] = -1;
            for (int k = 0; k < rank; k++) {
                placed[k + 1] = k == axis ? dim : q[k];
            }
            s = e.reshape(s, placed);
            for (int k = 0; k < rank; k++) {
                if (k != axis && q[k] != data[k]) {
                    int[] kept = new int[(int) q[k]];
                    for (int i = 0; i < kept.length; i++) {
                        kept[i] = i;
                    }
                    s = AxisMaps.adjoint(e, s, rank + 1, k + 1, AxisMaps.gather(kept, (int) data[k]));
                }
            }
            ctx.send(0, s);
        }
    }

    /**
     * DepthToSpace: a permutation, so its adjoint is its inverse: SpaceToDepth for DCR, the reverse
     * reshape and transpose for CRD; the signal's B axis is folded into N where a 4-D op needs it.
     */
    public static final class DepthToSpace implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            long[] x = ctx.shape(ctx.input(0));
            long[] y = ctx.shape(ctx.output(0));
            if (x.length != 4) {
                throw ctx.unsupported("DepthToSpace on a tensor of rank " + x.length);
            }
            long b = ctx.node().intAttribute("blocksize", 0);
            String mode = ctx.node().attribute("mode").map(a -> a.asString()).orElse("DCR");
            GraphEmitter e = ctx.emit();
            String g = ctx.signal(0).orElseThrow();
            switch (mode) {
                case "DCR" -> {
                    String folded = e.reshape(g, -1, y[1], y[2], y[3]);
                    String back = e.op("SpaceToDepth", List.of(folded), OnnxProtos.intAttr("blocksize", b));
                    ctx.send(0, e.reshapeSignal(back, x));
                }
                case "CRD" -> {
                    // y[n, c, h*b + i, w*b + j] = x[n, c*b*b + i*b + j, h, w]
                    String blocks = e.reshape(g, -1, x[0], y[1], x[2], b, x[3], b);
                    String back = e.transpose(blocks, 0, 1, 2, 4, 6, 3, 5);
                    ctx.send(0, e.reshapeSignal(back, x));
                }
                default -> throw ctx.unsupported("DepthToSpace mode " + mode);
            }
        }
    }

    /** SpaceToDepth: a permutation whose inverse is DepthToSpace in DCR mode. */
    public static final class SpaceToDepth implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            long[] x = ctx.shape(ctx.input(0));
            long[] y = ctx.shape(ctx.output(0));
            if (x.length != 4) {
                throw ctx.unsupported("SpaceToDepth on a tensor of rank " + x.length);
            }
            long b = ctx.node().intAttribute("blocksize", 0);
            GraphEmitter e = ctx.emit();
            String folded = e.reshape(ctx.signal(0).orElseThrow(), -1, y[1], y[2], y[3]);
            String back = ctx.opset() >= 11
                    ? e.op("DepthToSpace", List.of(folded), OnnxProtos.intAttr("blocksize", b),
                            OnnxProtos.stringAttr("mode", "DCR"))
                    : e.op("DepthToSpace", List.of(folded), OnnxProtos.intAttr("blocksize", b));
            ctx.send(0, e.reshapeSignal(back, x));
        }
    }

    private static int normalisedAxis(RuleContext ctx, int rank) {
        long axis = ctx.node().intAttribute("axis", 0);
        if (axis < -rank || axis >= rank) {
            throw ctx.unsupported("axis " + axis + " for a tensor of rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** The constant indices (input 1), flattened, negatives counted from the end of {@code dim}. */
    private static int[] indices(RuleContext ctx, int dim) {
        long[] raw = ctx.constant(ctx.input(1)).map(Tensor::toLongArray)
                .orElseThrow(() -> ctx.unsupported("indices that are not constant"));
        int[] index = new int[raw.length];
        for (int k = 0; k < raw.length; k++) {
            long i = raw[k] < 0 ? raw[k] + dim : raw[k];
            if (i < 0 || i >= dim) {
                throw ctx.unsupported("index " + raw[k] + " out of range for an axis of " + dim);
            }
            index[k] = (int) i;
        }
        return index;
    }
}
