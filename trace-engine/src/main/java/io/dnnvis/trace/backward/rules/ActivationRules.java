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

    /** Softplus: ln(1 + e^x), derivative sigmoid(x). */
    static final class Softplus extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            return e.op("Sigmoid", List.of(x));
        }
    }

    /** Softsign: x / (1 + |x|), derivative 1 / (1 + |x|)². */
    static final class Softsign extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            String t = e.add(e.scalar(1f), e.op("Abs", List.of(x)));
            return e.op("Reciprocal", List.of(e.mul(t, t)));
        }
    }

    /** Selu: gamma for x > 0, else y + gamma alpha (ONNX's default alpha and gamma). */
    static final class Selu extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            float alpha = ctx.node().attribute("alpha").map(a -> a.asFloat()).orElse(1.67326319217681884765625f);
            float gamma = ctx.node().attribute("gamma").map(a -> a.asFloat()).orElse(1.05070102214813232421875f);
            String positive = e.op("Greater", List.of(x, e.scalar(0f)));
            return e.op("Where", List.of(positive, e.scalar(gamma), e.add(y, e.scalar(gamma * alpha))));
        }
    }

    /** Celu (opset 12+): 1 for x > 0, else exp(x / alpha) (alpha 1 by default). */
    static final class Celu extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            float alpha = ctx.node().attribute("alpha").map(a -> a.asFloat()).orElse(1f);
            return positiveOr(e, x, e.op("Exp", List.of(e.div(x, e.scalar(alpha)))));
        }
    }

    /** ThresholdedRelu (opset 10+): 1 where x > alpha (1 by default), else 0. */
    static final class ThresholdedRelu extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            float alpha = ctx.node().attribute("alpha").map(a -> a.asFloat()).orElse(1f);
            return e.greaterMask(x, alpha);
        }
    }

    /** Mish (opset 18+): y = x tanh(softplus(x)); derivative t + x sigmoid(x) (1 - t²), t = tanh(softplus(x)). */
    static final class Mish extends PointwiseRule {
        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            String t = e.op("Tanh", List.of(e.op("Softplus", List.of(x))));
            String slope = e.sub(e.scalar(1f), e.mul(t, t));
            return e.add(t, e.mul(e.mul(x, e.op("Sigmoid", List.of(x))), slope));
        }
    }

    /**
     * Gelu (opset 20+): for approximate "none", Phi(x) + x phi(x) with the standard normal's
     * distribution and density; for "tanh", y = x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x³),
     * derivative (1 + tanh u) / 2 + x (1 - tanh² u) sqrt(2/pi) (1 + 3 0.044715 x²) / 2.
     */
    static final class Gelu extends PointwiseRule {
        private static final float CUBIC = 0.044715f;

        @Override
        String derivative(RuleContext ctx, GraphEmitter e, String x, String y) {
            String approximate = ctx.node().attribute("approximate").map(a -> a.asString()).orElse("none");
            String xx = e.mul(x, x);
            return switch (approximate) {
                case "none" -> {
                    String erf = e.op("Erf", List.of(e.mul(x, e.scalar((float) (1 / Math.sqrt(2))))));
                    String cdf = e.mul(e.add(e.scalar(1f), erf), e.scalar(0.5f));
                    String pdf = e.mul(e.op("Exp", List.of(e.mul(xx, e.scalar(-0.5f)))),
                            e.scalar((float) (1 / Math.sqrt(2 * Math.PI))));
                    yield e.add(cdf, e.mul(x, pdf));
                }
                case "tanh" -> {
                    float k = (float) Math.sqrt(2 / Math.PI);
                    String u = e.mul(e.mul(x, e.add(e.scalar(1f), e.mul(xx, e.scalar(CUBIC)))), e.scalar(k));
                    String t = e.op("Tanh", List.of(u));
                    String du = e.mul(e.add(e.scalar(1f), e.mul(xx, e.scalar(3 * CUBIC))), e.scalar(k));
                    String half = e.mul(e.add(e.scalar(1f), t), e.scalar(0.5f));
                    String slope = e.mul(e.sub(e.scalar(1f), e.mul(t, t)), du);
                    yield e.add(half, e.mul(e.mul(x, slope), e.scalar(0.5f)));
                }
                default -> throw ctx.unsupported("Gelu approximate '" + approximate + "'");
            };
        }
    }
}
