package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.ArrayList;
import java.util.List;

/** Slice (any steps): each sliced axis maps its selected indices back; the rest gets zeros. */
public final class SliceRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        long[] y = ctx.shape(ctx.output(0));
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (ctx.opset() < 10) {
            starts = ctx.node().intsAttribute("starts").orElseThrow(() -> ctx.unsupported("Slice without starts"));
            ends = ctx.node().intsAttribute("ends").orElseThrow(() -> ctx.unsupported("Slice without ends"));
            axes = ctx.node().intsAttribute("axes").orElse(null);
            steps = null;
        } else {
            starts = constantInts(ctx, 1);
            ends = constantInts(ctx, 2);
            axes = ctx.input(3).isEmpty() ? null : constantInts(ctx, 3);
            steps = ctx.input(4).isEmpty() ? null : constantInts(ctx, 4);
        }
        if (axes == null) {
            axes = new long[starts.length];
            for (int k = 0; k < axes.length; k++) {
                axes[k] = k;
            }
        }
        String s = ctx.signal(0).orElseThrow();
        for (int k = 0; k < axes.length; k++) {
            int axis = (int) (axes[k] < 0 ? axes[k] + x.length : axes[k]);
            long step = steps == null ? 1 : steps[k];
            int[] index = indices((int) x[axis], starts[k], ends[k], step);
            if (index.length != y[axis]) {
                throw ctx.unsupported("slice along axis " + axis + " selects " + index.length + " elements, the output has "
                        + y[axis]);
            }
            float[][] m = AxisMaps.gather(index, (int) x[axis]);
            if (!AxisMaps.isIdentity(m)) {
                s = AxisMaps.adjoint(ctx.emit(), s, x.length + 1, axis + 1, m);
            }
        }
        ctx.send(0, s);
    }

    private static long[] constantInts(RuleContext ctx, int input) {
        Tensor t = ctx.constant(ctx.input(input)).orElseThrow(
                () -> ctx.unsupported("Slice input " + input + " is not a constant"));
        return t.toLongArray();
    }

    /** The input indices a slice selects, per the ONNX clamping rules. */
    public static int[] indices(int dim, long start, long end, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("slice step 0");
        }
        if (start < 0) {
            start += dim;
        }
        if (end < 0) {
            end += dim;
        }
        if (step > 0) {
            start = Math.max(0, Math.min(dim, start));
            end = Math.max(0, Math.min(dim, end));
        } else {
            start = Math.max(0, Math.min(dim - 1, start));
            end = Math.max(-1, Math.min(dim - 1, end));
        }
        List<Integer> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < end : i > end; i += step) {
            out.add((int) i);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
