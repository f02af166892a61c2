package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Optional;

/**
 * A gate op ({@link GateRules}) under the guided or DeconvNet rule: {@code g'(x) * max(R, 0)} with the
 * derivative of the op's exact rule, or {@code max(R, 0)}. A node that is not a gate (a Clip whose
 * minimum is not 0, a PRelu whose slope carries signal) is sent back by the exact rule.
 *
 * @param opType the op
 * @param exact the op's exact rule, whose derivative the guided rule multiplies by
 * @param gating guided or DeconvNet
 */
record GateRule(String opType, PointwiseRule exact, GateRules.Gating gating) implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        if (!isGate(ctx)) {
            exact.backward(ctx);
            return;
        }
        GraphEmitter e = ctx.emit();
        String rectified = e.relu(ctx.signal(0).orElseThrow());
        ctx.send(0, gating == GateRules.Gating.DECONVNET ? rectified
                : e.mul(rectified, exact.derivative(ctx, e, ctx.input(0), ctx.output(0))));
    }

    private boolean isGate(RuleContext ctx) {
        return switch (opType) {
            case "Clip" -> clipMinimum(ctx).filter(min -> min == 0f).isPresent();
            case "PRelu" -> !ctx.needsSignal(1);
            default -> true;
        };
    }

    /** The Clip's constant minimum (an attribute before opset 11, input 1 after); empty when none or not constant. */
    private static Optional<Float> clipMinimum(RuleContext ctx) {
        if (ctx.opset() < 11) {
            return ctx.node().attribute("min").map(a -> a.asFloat());
        }
        if (ctx.input(1).isEmpty() || ctx.needsSignal(1) || ctx.needsSignal(2)) {
            return Optional.empty();
        }
        return ctx.constant(ctx.input(1)).filter(t -> t.elementCount() == 1).map(Tensor::toFloatArray).map(v -> v[0]);
    }

    @Override
    public String toString() {
        return opType + "[" + gating.name().toLowerCase(java.util.Locale.ROOT) + " gate]";
    }
}
