package io.dnnvis.methods;

import io.dnnvis.trace.backward.rules.RuleSet;

/**
 * SaliNet (Simonyan et al. 2013): gradient saliency. Every op sends back its exact
 * vector-Jacobian product; with switch pooling the reconstruction is exactly the gradient of
 * {@code sum(G * T)} with respect to the input.
 */
public final class SaliNet {

    public static final String NAME = "salinet";
    public static final RuleSet RULES = RuleSet.exact().named(NAME);

    private SaliNet() {
    }
}
