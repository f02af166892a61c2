package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;

/** Gemm {@code Y = alpha A' B' + beta C}: W^T for A, A^T for B, the (unbroadcast) signal for C. */
public final class GemmRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        String g = ctx.signal(0).orElseThrow();
        float alpha = ctx.node().attribute("alpha").map(a -> a.asFloat()).orElse(1f);
        float beta = ctx.node().attribute("beta").map(a -> a.asFloat()).orElse(1f);
        boolean transA = ctx.node().intAttribute("transA", 0) != 0;
        boolean transB = ctx.node().intAttribute("transB", 0) != 0;
        String scaled = alpha == 1f ? g : e.mul(g, e.scalar(alpha));
        if (ctx.needsSignal(0)) {
            String bt = transB ? ctx.input(1) : e.transpose(ctx.input(1), 1, 0);
            String ga = e.matmul(scaled, bt);
            ctx.send(0, transA ? e.transpose(ga, 0, 2, 1) : ga);
        }
        if (ctx.needsSignal(1)) {
            String at = transA ? ctx.input(0) : e.transpose(ctx.input(0), 1, 0);
            String gb = e.matmul(at, scaled);
            ctx.send(1, transB ? e.transpose(gb, 0, 2, 1) : gb);
        }
        if (ctx.needsSignal(2)) {
            String gc = beta == 1f ? g : e.mul(g, e.scalar(beta));
            ctx.send(2, e.unbroadcast(gc, ctx.shape(ctx.output(0)), ctx.shape(ctx.input(2))));
        }
    }
}
