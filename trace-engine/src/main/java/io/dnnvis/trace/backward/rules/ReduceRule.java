package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Arrays;

/** ReduceSum and ReduceMean: the signal is broadcast back over the reduced axes (divided by their size for the mean). */
public final class ReduceRule implements BackwardRule {

    private final boolean mean;

    public ReduceRule(boolean mean) {
        this.mean = mean;
    }

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        long[] axes = reducedAxes(ctx, mean ? 18 : 13);
        String g = ctx.signal(0).orElseThrow();
        if (axes.length == 0) {
            ctx.send(0, g);
            return;
        }
        long count = 1;
        for (long a : axes) {
            count *= x[(int) a];
        }
        String s = e.reshapeSignal(g, keptShape(x, axes));
        if (mean) {
            s = e.mul(s, e.scalar(1f / count));
        }
        ctx.send(0, e.expand(s, GlobalAveragePoolRule.withBatchOne(x)));
    }

    /**
     * The axes a Reduce* node reduces, non-negative, ascending and distinct: from its {@code axes}
     * input from opset {@code axesInputFrom} on, from its {@code axes} attribute before; all axes
     * when none are given, none (an identity) when none are given and {@code noop_with_empty_axes} is set.
     */
    static long[] reducedAxes(RuleContext ctx, long axesInputFrom) {
        int rank = ctx.shape(ctx.input(0)).length;
        long[] axes;
        if (ctx.opset() >= axesInputFrom) {
            axes = ctx.input(1).isEmpty() ? new long[0]
                    : ctx.constant(ctx.input(1)).orElseThrow(() -> ctx.unsupported("the axes are not a constant"))
                            .toLongArray();
        } else {
            axes = ctx.node().intsAttribute("axes").orElse(new long[0]);
        }
        if (axes.length == 0) {
            if (ctx.node().intAttribute("noop_with_empty_axes", 0) != 0) {
                return new long[0];
            }
            axes = new long[rank];
            for (int k = 0; k < rank; k++) {
                axes[k] = k;
            }
        }
        return Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().distinct().toArray();
    }

    /** {@code x} with 1 on the reduced {@code axes}: the output's shape with keepdims, to which the signal is reshaped. */
    static long[] keptShape(long[] x, long[] axes) {
        long[] kept = x.clone();
        for (long a : axes) {
            kept[(int) a] = 1;
        }
        return kept;
    }
}
