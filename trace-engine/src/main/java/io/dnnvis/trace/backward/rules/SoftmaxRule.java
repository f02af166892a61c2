package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;

/**
 * Softmax: {@code dx = y (g - sum(g y))}, the sum over the softmax axis (opset 13+) or over all
 * axes from {@code axis} on (older opsets, which coerce the input to 2-D).
 */
public final class SoftmaxRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        int rank = ctx.shape(ctx.input(0)).length;
        long axis = ctx.node().intAttribute("axis", ctx.opset() >= 13 ? -1 : 1);
        if (axis < 0) {
            axis += rank;
        }
        long[] axes;
        if (ctx.opset() >= 13) {
            axes = new long[] {axis + 1};
        } else {
            axes = new long[(int) (rank - axis)];
            for (int k = 0; k < axes.length; k++) {
                axes[k] = axis + k + 1;
            }
        }
        String y = ctx.output(0);
        String g = ctx.signal(0).orElseThrow();
        String dot = e.reduceSum(e.mul(g, y), axes);
        ctx.send(0, e.mul(y, e.sub(g, dot)));
    }
}
