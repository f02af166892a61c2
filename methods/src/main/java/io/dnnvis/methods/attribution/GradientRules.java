package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.Gates;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.Objects;
import java.util.function.Function;

/**
 * The rule sets attribution runs on, given by the caller that knows the methods (the Visualizer):
 * the exact gradient (SaliNet's rules), and guided backpropagation for a choice of gates (DeSaliNet's).
 * Equal rule sets share compiled graphs with the backward nets.
 */
public record GradientRules(RuleSet gradient, Function<Gates, RuleSet> guided) {

    public GradientRules {
        Objects.requireNonNull(gradient, "gradient");
        Objects.requireNonNull(guided, "guided");
    }
}
