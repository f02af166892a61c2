package io.dnnvis.methods;

import io.dnnvis.trace.backward.rules.GateRules;
import io.dnnvis.trace.backward.rules.RuleSet;
import io.dnnvis.trace.backward.rules.PassThroughRule;
import io.dnnvis.trace.backward.rules.ReluRule;

/**
 * DeSaliNet (Mahendran and Vedaldi 2016, the rule of guided backpropagation): Relu sends back
 * {@code max(g, 0) * [x > 0]}, LRN passes the signal unchanged; every other op as SaliNet.
 */
public final class DeSaliNet {

    public static final String NAME = "desalinet";
    public static final RuleSet RULES = RuleSet.exact()
            .with("Relu", ReluRule.DESALINET)
            .with("LRN", new PassThroughRule())
            .named(NAME);
    /** {@link #RULES} with every gate, not only Relu, under the guided rule ({@code --gates all}). */
    public static final RuleSet ALL_GATES = GateRules.guided(RULES).named(NAME + "+gates");

    private DeSaliNet() {
    }
}
