package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.ArrayList;
import java.util.List;

/** Split: the outputs' signals concatenated back (zeros for outputs no signal reaches). */
public final class SplitRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        int rank = ctx.shape(ctx.input(0)).length;
        long axis = ctx.node().intAttribute("axis", 0);
        if (axis < 0) {
            axis += rank;
        }
        List<String> parts = new ArrayList<>();
        for (int j = 0; j < ctx.node().outputs().size(); j++) {
            parts.add(ctx.signalOrZeros(j));
        }
        ctx.send(0, ctx.emit().concat(axis + 1, parts));
    }
}
