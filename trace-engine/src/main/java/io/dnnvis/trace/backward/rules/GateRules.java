package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import java.util.List;

/**
 * The guided and DeconvNet rules of the gates other than Relu, opt-in ({@code --gates all}). A gate is
 * an activation {@code y = g(x)} that lets a positive input through and damps or stops a negative one;
 * with derivative {@code g'(x)} and arriving signal {@code R}:
 * <ul>
 *   <li>guided (DeSaliNet, Guided Grad-CAM): {@code R_x = g'(x) * max(R, 0)}; for Relu DeSaliNet's own rule;</li>
 *   <li>DeconvNet: {@code R_x = max(R, 0)}, the forward pass ignored, as DeconvNet's Relu.</li>
 * </ul>
 * {@code g'} is the derivative the exact rule of the op uses (the same convention at the kinks). The gates:
 * the ops LeakyRelu, PRelu (slope a constant), Clip with a minimum of 0 (ReLU6; a Clip with another
 * minimum stays exact), HardSwish and Gelu; and the composites PyTorch exports: SiLU {@code x * Sigmoid(x)},
 * HardSwish before opset 14 {@code x * HardSigmoid(x)} and GELU {@code x * (1 + Erf(x / sqrt 2)) * 0.5}
 * ({@link CompositeGate}), which the Mul rule recognises from the forward graph and sends back to x in one
 * step, nothing through the inner branch. Every other op, Mul that is not a gate included, keeps its rule.
 *
 * <p>The sets made here are values: two calls with equal sets give equal sets (and share sessions).
 */
public final class GateRules {

    /** How a gate sends its signal back. */
    public enum Gating {
        /** {@code g'(x) * max(R, 0)}. */
        GUIDED,
        /** {@code max(R, 0)}. */
        DECONVNET
    }

    /** The ops that are gates (Clip only with a minimum of 0, Mul only as a composite gate's last node). */
    public static final List<String> GATE_OPS = List.of("Relu", "LeakyRelu", "PRelu", "Clip", "HardSwish", "Gelu",
            "Mul");

    private GateRules() {
    }

    /** {@code base} with every gate under the guided rule (Relu: {@link ReluRule#DESALINET}). */
    public static RuleSet guided(RuleSet base) {
        return gated(base, Gating.GUIDED, ReluRule.DESALINET);
    }

    /** {@code base} with every gate under DeconvNet's rule (Relu: {@link ReluRule#DECONVNET}). */
    public static RuleSet deconvnet(RuleSet base) {
        return gated(base, Gating.DECONVNET, ReluRule.DECONVNET);
    }

    private static RuleSet gated(RuleSet base, Gating gating, ReluRule relu) {
        RuleSet set = base.with("Relu", relu);
        for (String op : GATE_OPS.subList(1, GATE_OPS.size())) {
            BackwardRule exact = ExactRules.TABLE.get(op);
            set = set.with(op, op.equals("Mul") ? new GateMulRule(exact, gating)
                    : new GateRule(op, (PointwiseRule) exact, gating));
        }
        return set;
    }
}
