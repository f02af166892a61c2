package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;

/** GlobalAveragePool: the signal divided by the spatial size, spread over every position. */
public final class GlobalAveragePoolRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        long spatial = AveragePoolRule.count(x, 2);
        String scaled = e.mul(ctx.signal(0).orElseThrow(), e.scalar(1f / spatial));
        ctx.send(0, e.expand(scaled, withBatchOne(x)));
    }

    /** {@code [1] ++ shape}: Expand's target that keeps the signal axis as it is. */
    static long[] withBatchOne(long[] shape) {
        long[] full = new long[shape.length + 1];
        full[0] = 1;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return full;
    }
}
