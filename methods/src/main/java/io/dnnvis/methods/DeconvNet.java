package io.dnnvis.methods;

import io.dnnvis.trace.backward.rules.GateRules;
import io.dnnvis.trace.backward.rules.RuleSet;
import io.dnnvis.trace.backward.rules.PassThroughRule;
import io.dnnvis.trace.backward.rules.ReluRule;

/**
 * DeconvNet (Zeiler and Fergus 2014): Relu sends back {@code max(g, 0)} regardless of the forward
 * pass, LRN passes the signal unchanged; every other op as SaliNet.
 */
public final class DeconvNet {

    public static final String NAME = "deconvnet";
    public static final RuleSet RULES = RuleSet.exact()
            .with("Relu", ReluRule.DECONVNET)
            .with("LRN", new PassThroughRule())
            .named(NAME);
    /** {@link #RULES} with every gate, not only Relu, under DeconvNet's rule ({@code --gates all}). */
    public static final RuleSet ALL_GATES = GateRules.deconvnet(RULES).named(NAME + "+gates");

    private DeconvNet() {
    }
}
