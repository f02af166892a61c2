package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;

/** Concat: each input gets its slice of the signal. */
public final class ConcatRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        int rank = ctx.shape(ctx.output(0)).length;
        long axis = ctx.node().intAttribute("axis", 0);
        if (axis < 0) {
            axis += rank;
        }
        String g = ctx.signal(0).orElseThrow();
        long offset = 0;
        for (int i = 0; i < ctx.node().inputs().size(); i++) {
            long length = ctx.shape(ctx.input(i))[(int) axis];
            if (ctx.needsSignal(i)) {
                ctx.send(i, ctx.emit().slice(g, axis + 1, offset, offset + length));
            }
            offset += length;
        }
    }
}
