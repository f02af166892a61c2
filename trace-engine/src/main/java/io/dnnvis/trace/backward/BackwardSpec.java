package io.dnnvis.trace.backward;

/**
 * What to compile: the target tensor, the rule set (the method), the unpooling variant, the start
 * signal, and whether the signal at every tensor on the path is wanted too.
 */
public record BackwardSpec(String targetTensor, RuleSet rules, Pooling pooling, StartSignal start, boolean signals) {

    public BackwardSpec {
        if (targetTensor == null || rules == null || pooling == null || start == null) {
            throw new IllegalArgumentException("target, rules, pooling and start are required");
        }
    }
}
