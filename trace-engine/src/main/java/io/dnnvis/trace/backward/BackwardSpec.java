package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;

/**
 * What to compile: the target tensor whose neurons start the signal, the tensors the signal is
 * wanted at (the sources; empty: the model input), the rule set (the method, MaxPool's unpooling
 * included), the start signal, and whether the signal at every tensor on the way is wanted too.
 * An immutable value: equal specs share a compiled session.
 */
public record BackwardSpec(String targetTensor, List<String> sources, RuleSet rules, StartSignal start,
        boolean signals) {

    public BackwardSpec {
        if (targetTensor == null || sources == null || rules == null || start == null) {
            throw new IllegalArgumentException("target, sources, rules and start are required");
        }
        sources = List.copyOf(sources);
    }

    /** Back to the model input. */
    public BackwardSpec(String targetTensor, RuleSet rules, StartSignal start, boolean signals) {
        this(targetTensor, List.of(), rules, start, signals);
    }

    /** This spec sending the signal back to {@code tensors} instead. */
    public BackwardSpec toSources(List<String> tensors) {
        return new BackwardSpec(targetTensor, tensors, rules, start, signals);
    }
}
