package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.Locale;

/** The three backward nets, by name. */
public enum BackwardMethod {
    DECONVNET(DeconvNet.RULES, "DeconvNet"),
    SALINET(SaliNet.RULES, "SaliNet"),
    DESALINET(DeSaliNet.RULES, "DeSaliNet");

    private final RuleSet rules;
    private final String title;

    BackwardMethod(RuleSet rules, String title) {
        this.rules = rules;
        this.title = title;
    }

    public RuleSet rules() {
        return rules;
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
