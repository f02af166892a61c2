package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.List;

/** The exact derivatives of the smooth and piecewise-linear activations (one class each). */
final class ActivationRules {

    private ActivationRules() {
    }

    /** LeakyRelu: 1 for x > 0, else alpha (default 0.01). */
    static final class LeakyRelu extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            float alpha = ctx.node().attribute("alpha").map(a -> a.asFloat()).orElse(0.01f);
            return positiveOr(e, x, e.scalar(alpha));
        }
    }

    /** PRelu: 1 for x > 0, else the slope (input 1, broadcast). */
    static final class PRelu extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            if (ctx.needsSignal(1)) {
                throw ctx.unsupported("signal through the PRelu slope");
            }
            return positiveOr(e, x, ctx.input(1));
        }
    }

    /** Elu: 1 for x > 0, else y + alpha (default 1). */
    static final class Elu extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            float alpha = ctx.node().attribute("alpha").map(a -> a.asFloat()).orElse(1f);
            return positiveOr(e, x, e.add(y, e.scalar(alpha)));
        }
    }

    /** Sigmoid: y (1 - y). */
    static final class Sigmoid extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return e.mul(y, e.sub(e.scalar(1f), y));
        }
    }

    /** Tanh: 1 - y². */
    static final class Tanh extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return e.sub(e.scalar(1f), e.mul(y, y));
        }
    }

    /** HardSigmoid: alpha where 0 < alpha x + beta < 1, else 0 (alpha 0.2, beta 0.5 by default). */
    static final class HardSigmoid extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            float alpha = ctx.node().attribute("alpha").map(a -> a.asFloat()).orElse(0.2f);
            float beta = ctx.node().attribute("beta").map(a -> a.asFloat()).orElse(0.5f);
            String z = e.add(e.mul(x, e.scalar(alpha)), e.scalar(beta));
            return e.mul(between(e, z, 0f, 1f), e.scalar(alpha));
        }
    }

    /** HardSwish: x * hardsigmoid(x) with alpha 1/6, beta 1/2; derivative hs(x) + x/6 on (-3, 3). */
    static final class HardSwish extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            String hs = e.op("HardSigmoid", List.of(x), io.dnnvis.onnx.build.OnnxProtos.floatAttr("alpha", 1f / 6),
                    io.dnnvis.onnx.build.OnnxProtos.floatAttr("beta", 0.5f));
            String inside = between(e, x, -3f, 3f);
            return e.add(hs, e.mul(inside, e.mul(x, e.scalar(1f / 6))));
        }
    }

    /** Clip: 1 where min <= x <= max (as torch.clamp's gradient), else 0. */
    static final class Clip extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            String min;
            String max;
            if (ctx.opset() < 11) {
                min = e.scalar(ctx.node().attribute("min").map(a -> a.asFloat()).orElse(-Float.MAX_VALUE));
                max = e.scalar(ctx.node().attribute("max").map(a -> a.asFloat()).orElse(Float.MAX_VALUE));
            } else {
                for (int i = 1; i <= 2; i++) {
                    if (ctx.needsSignal(i)) {
                        throw ctx.unsupported("signal through the Clip bounds");
                    }
                }
                min = ctx.input(1).isEmpty() ? e.scalar(-Float.MAX_VALUE) : ctx.input(1);
                max = ctx.input(2).isEmpty() ? e.scalar(Float.MAX_VALUE) : ctx.input(2);
            }
            String below = e.op("Less", List.of(x, min));
            String above = e.op("Greater", List.of(x, max));
            String outside = e.op("Or", List.of(below, above));
            return e.toFloat(e.op("Not", List.of(outside)));
        }
    }
}
