package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;

/**
 * Identity, Dropout (inference), float-to-float Cast, and CastLike (its second input gives only the
 * type: it gets no signal): the signal passes unchanged to the first input.
 */
public final class PassThroughRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        if (ctx.node().opType().equals("Cast")) {
            long to = ctx.node().intAttribute("to", 1);
            if (to != 1 && to != 10 && to != 11 && to != 16) {
                throw ctx.unsupported("Cast to a non-float type on the signal path");
            }
        }
        ctx.signal(0).ifPresent(s -> ctx.send(0, s));
    }
}
