package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;

/** Reshape, Flatten, Squeeze, Unsqueeze: the signal takes the input's shape back. */
public final class ReshapeRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        ctx.send(0, ctx.emit().reshapeSignal(ctx.signal(0).orElseThrow(), ctx.shape(ctx.input(0))));
    }
}
