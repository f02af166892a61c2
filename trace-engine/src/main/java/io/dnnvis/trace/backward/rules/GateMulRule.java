package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Optional;

/**
 * Mul under the gate rules ({@link GateRules}): the Mul that ends a {@link CompositeGate} sends
 * {@code g'(x) * max(R, 0)} (guided) or {@code max(R, 0)} (DeconvNet) straight to the composite's input x,
 * and nothing to its operands; any other Mul is sent back by the exact rule.
 *
 * @param exact Mul's exact rule
 * @param gating guided or DeconvNet
 */
record GateMulRule(BackwardRule exact, GateRules.Gating gating) implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        Optional<CompositeGate> gate = ctx.node().inputs().size() == 2 ? CompositeGate.at(ctx) : Optional.empty();
        if (gate.isEmpty()) {
            exact.backward(ctx);
            return;
        }
        GraphEmitter e = ctx.emit();
        String rectified = e.relu(ctx.signal(0).orElseThrow());
        ctx.sendTo(gate.get().x(), gating == GateRules.Gating.DECONVNET ? rectified
                : e.mul(rectified, gate.get().derivative(e)));
    }

    @Override
    public String toString() {
        return "Mul[" + gating.name().toLowerCase(java.util.Locale.ROOT) + " gate]";
    }
}
