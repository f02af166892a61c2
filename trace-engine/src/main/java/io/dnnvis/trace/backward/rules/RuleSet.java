package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Backward rules by ONNX op type. A method is the exact-gradient rule set with a few overrides
 * ({@code RuleSet.exact().with("Relu", ...)}), never a fork. An immutable value: two sets with the
 * same name and the same rule for every op are equal (and share compiled sessions).
 */
public final class RuleSet {

    private final String name;
    private final Map<String, BackwardRule> rules;
    /** The sets are keys of the engine's session cache, looked up on every run. */
    private final int hash;

    private RuleSet(String name, Map<String, BackwardRule> rules) {
        this.name = name;
        this.rules = Map.copyOf(rules);
        this.hash = 31 * name.hashCode() + this.rules.hashCode();
    }

    /** Every op's exact vector-Jacobian product: gradient backpropagation, switch unpooling. */
    public static RuleSet exact() {
        return new RuleSet("exact", ExactRules.TABLE);
    }

    /** This set with {@code opType} handled by {@code rule} instead. */
    public RuleSet with(String opType, BackwardRule rule) {
        Map<String, BackwardRule> copy = new HashMap<>(rules);
        copy.put(opType, rule);
        return new RuleSet(name, copy);
    }

    /** This set with MaxPool unpooled as {@code pooling} says. */
    public RuleSet withPooling(Pooling pooling) {
        return with("MaxPool", MaxPoolRule.of(pooling));
    }

    /** This set under another name (for messages and provenance). */
    public RuleSet named(String newName) {
        return new RuleSet(newName, rules);
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

    /** Whether the outputs of {@code opType} can carry signal (not shapes, indices or comparisons). */
    public static boolean carriesSignal(String opType) {
        return !ExactRules.NO_SIGNAL.contains(opType);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof RuleSet other && hash == other.hash && name.equals(other.name)
                && rules.equals(other.rules);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "RuleSet[" + name + "]";
    }
}
