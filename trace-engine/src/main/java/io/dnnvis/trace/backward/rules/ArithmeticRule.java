package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;

/**
 * Add, Sub, Mul, Div with numpy broadcasting; both operands get their signal when both carry
 * one, summed over the axes they were broadcast along.
 */
public final class ArithmeticRule implements BackwardRule {

    /** Which operation. */
    public enum Kind { ADD, SUB, MUL, DIV }

    private final Kind kind;

    public ArithmeticRule(Kind kind) {
        this.kind = kind;
    }

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        String g = ctx.signal(0).orElseThrow();
        String a = ctx.input(0);
        String b = ctx.input(1);
        long[] out = ctx.shape(ctx.output(0));
        if (ctx.needsSignal(0)) {
            String ga = switch (kind) {
                case ADD, SUB -> g;
                case MUL -> e.mul(g, b);
                case DIV -> e.div(g, b);
            };
            ctx.send(0, e.unbroadcast(ga, out, ctx.shape(a)));
        }
        if (ctx.needsSignal(1)) {
            String gb = switch (kind) {
                case ADD -> g;
                case SUB -> e.neg(g);
                case MUL -> e.mul(g, a);
                case DIV -> e.neg(e.div(e.mul(g, ctx.output(0)), b));
            };
            ctx.send(1, e.unbroadcast(gb, out, ctx.shape(b)));
        }
    }
}
