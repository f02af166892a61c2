package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;

/** Transpose: the inverse permutation, the signal axis staying first. */
public final class TransposeRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        int rank = ctx.shape(ctx.input(0)).length;
        long[] perm = ctx.node().intsAttribute("perm").orElseGet(() -> {
            long[] reversed = new long[rank];
            for (int k = 0; k < rank; k++) {
                reversed[k] = rank - 1 - k;
            }
            return reversed;
        });
        long[] inverse = new long[rank + 1];
        for (int k = 0; k < rank; k++) {
            inverse[(int) perm[k] + 1] = k + 1;
        }
        ctx.send(0, ctx.emit().transpose(ctx.signal(0).orElseThrow(), inverse));
    }
}
