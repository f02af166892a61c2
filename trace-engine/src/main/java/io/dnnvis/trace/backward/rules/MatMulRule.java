package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;

/** MatMul (numpy semantics, both operands of rank 2 or more): {@code g B^T} and {@code A^T g}. */
public final class MatMulRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        long[] a = ctx.shape(ctx.input(0));
        long[] b = ctx.shape(ctx.input(1));
        long[] y = ctx.shape(ctx.output(0));
        if (a.length < 2 || b.length < 2) {
            throw ctx.unsupported("MatMul with a 1-D operand");
        }
        String g = ctx.signal(0).orElseThrow();
        if (ctx.needsSignal(0)) {
            String ga = e.matmul(g, e.transpose(ctx.input(1), swapLastTwo(b.length)));
            long[] full = y.clone();
            full[full.length - 1] = a[a.length - 1];
            ctx.send(0, e.unbroadcast(ga, full, a));
        }
        if (ctx.needsSignal(1)) {
            String gb = e.matmul(e.transpose(ctx.input(0), swapLastTwo(a.length)), g);
            long[] full = y.clone();
            full[full.length - 2] = b[b.length - 2];
            ctx.send(1, e.unbroadcast(gb, full, b));
        }
    }

    static long[] swapLastTwo(int rank) {
        long[] perm = new long[rank];
        for (int k = 0; k < rank; k++) {
            perm[k] = k;
        }
        perm[rank - 1] = rank - 2;
        perm[rank - 2] = rank - 1;
        return perm;
    }
}
