package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.List;

/** The exact derivatives of the unary math ops (one class each); all emit ops that exist from opset 9. */
final class MathRules {

    private MathRules() {
    }

    /** Neg: y = -x, so the signal goes back negated. */
    static final class Neg implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            ctx.send(0, ctx.emit().neg(ctx.signal(0).orElseThrow()));
        }
    }

    /** Abs: sign(x) (0 at x = 0, as torch.abs's gradient). */
    static final class Abs extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return e.op("Sign", List.of(x));
        }
    }

    /** Erf: 2/sqrt(pi) exp(-x²). */
    static final class Erf extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return e.mul(e.scalar((float) (2 / Math.sqrt(Math.PI))), e.op("Exp", List.of(e.neg(e.mul(x, x)))));
        }
    }

    /** Exp: y. */
    static final class Exp extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return y;
        }
    }

    /** Log: 1 / x. */
    static final class Log extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return e.op("Reciprocal", List.of(x));
        }
    }

    /** Sqrt: 1 / (2 y). */
    static final class Sqrt extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return e.div(e.scalar(0.5f), y);
        }
    }

    /** Reciprocal: -1 / x² = -y². */
    static final class Reciprocal extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return e.neg(e.mul(y, y));
        }
    }
}
