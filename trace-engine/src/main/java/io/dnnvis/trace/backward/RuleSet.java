package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.rules.ExactRules;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Backward rules by ONNX op type. A method is the exact-gradient rule set with a few overrides
 * ({@code RuleSet.exact().with("Relu", ...)}), never a fork. Immutable.
 */
public final class RuleSet {

    private final String name;
    private final Map<String, BackwardRule> rules;

    private RuleSet(String name, Map<String, BackwardRule> rules) {
        this.name = name;
        this.rules = Collections.unmodifiableMap(rules);
    }

    /** Every op's exact vector-Jacobian product: gradient backpropagation. */
    public static RuleSet exact() {
        return new RuleSet("exact", new HashMap<>(ExactRules.TABLE));
    }

    /** This set with {@code opType} handled by {@code rule} instead. */
    public RuleSet with(String opType, BackwardRule rule) {
        Map<String, BackwardRule> copy = new HashMap<>(rules);
        copy.put(opType, rule);
        return new RuleSet(name, copy);
    }

    /**
     * This set under another name (for messages and provenance). Compiled sessions are cached per
     * rule-set object, so keep a method's rule set in a constant.
     */
    public RuleSet named(String newName) {
        return new RuleSet(newName, new HashMap<>(rules));
    }

    public String name() {
        return name;
    }

    public Optional<BackwardRule> rule(String opType) {
        return Optional.ofNullable(rules.get(opType));
    }

    public Set<String> opTypes() {
        return rules.keySet();
    }

    @Override
    public String toString() {
        return "RuleSet[" + name + "]";
    }
}
