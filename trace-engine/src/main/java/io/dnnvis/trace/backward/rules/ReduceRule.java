package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;

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
        boolean axesAsInput = ctx.opset() >= (mean ? 18 : 13);
        long[] axes;
        if (axesAsInput) {
            axes = ctx.input(1).isEmpty() ? new long[0]
                    : ctx.constant(ctx.input(1)).orElseThrow(() -> ctx.unsupported("the axes are not a constant"))
                            .toLongArray();
        } else {
            axes = ctx.node().intsAttribute("axes").orElse(new long[0]);
        }
        String g = ctx.signal(0).orElseThrow();
        if (axes.length == 0) {
            if (ctx.node().intAttribute("noop_with_empty_axes", 0) != 0) {
                ctx.send(0, g);
                return;
            }
            axes = new long[x.length];
            for (int k = 0; k < x.length; k++) {
                axes[k] = k;
            }
        }
        long[] kept = x.clone();
        long count = 1;
        for (long a : axes) {
            int axis = (int) (a < 0 ? a + x.length : a);
            count *= x[axis];
            kept[axis] = 1;
        }
        String s = e.reshapeSignal(g, kept);
        if (mean) {
            s = e.mul(s, e.scalar(1f / count));
        }
        ctx.send(0, e.expand(s, GlobalAveragePoolRule.withBatchOne(x)));
    }
}
