package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;

/**
 * Unary elementwise ops: the signal is multiplied by the op's derivative {@code dy/dx}, built
 * from the forward input {@code x} and output {@code y}.
 */
abstract class PointwiseRule implements BackwardRule {

    /** Emits {@code dy/dx} with the shape of x (or broadcastable to it). */
    abstract String derivative(RuleContext ctx, GraphEmitter e, String x, String y);

    @Override
    public final void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        String d = derivative(ctx, e, ctx.input(0), ctx.output(0));
        ctx.send(0, e.mul(ctx.signal(0).orElseThrow(), d));
    }

    /** {@code 1.0 where x > 0, else otherwise}. */
    static String positiveOr(GraphEmitter e, String x, String otherwise) {
        String positive = e.op("Greater", java.util.List.of(x, e.scalar(0f)));
        return e.op("Where", java.util.List.of(positive, e.scalar(1f), otherwise));
    }

    /** 1.0 where {@code lo < x < hi} (strict), else 0.0. */
    static String between(GraphEmitter e, String x, float lo, float hi) {
        String above = e.op("Greater", java.util.List.of(x, e.scalar(lo)));
        String below = e.op("Less", java.util.List.of(x, e.scalar(hi)));
        return e.toFloat(e.op("And", java.util.List.of(above, below)));
    }
}
