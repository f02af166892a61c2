package io.dnnvis.methods;

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

    private DeSaliNet() {
    }
}
