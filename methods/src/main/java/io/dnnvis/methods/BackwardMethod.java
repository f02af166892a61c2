package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Gates;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.Locale;

/** The three backward nets, by name. */
public enum BackwardMethod {
    DECONVNET(DeconvNet.RULES, DeconvNet.ALL_GATES, "DeconvNet"),
    SALINET(SaliNet.RULES, SaliNet.RULES, "SaliNet"),
    DESALINET(DeSaliNet.RULES, DeSaliNet.ALL_GATES, "DeSaliNet");

    private final RuleSet rules;
    private final RuleSet allGates;
    private final String title;

    BackwardMethod(RuleSet rules, RuleSet allGates, String title) {
        this.rules = rules;
        this.allGates = allGates;
        this.title = title;
    }

    /** The method's rules with Relu its only gate ({@link Gates#RELU}). */
    public RuleSet rules() {
        return rules;
    }

    /** The method's rules with {@code gates} as its gates: {@link #rules()} for RELU, and always for SaliNet. */
    public RuleSet rules(Gates gates) {
        return gates == Gates.ALL ? allGates : rules;
    }

    /** The method's usual spelling, e.g. {@code DeSaliNet}. */
    public String title() {
        return title;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BackwardMethod parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("unknown method '" + text + "' (deconvnet, salinet or desalinet)");
        }
    }
}
