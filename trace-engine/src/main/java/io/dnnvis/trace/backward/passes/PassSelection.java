package io.dnnvis.trace.backward.passes;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which rewrite passes may run: all (the default), none (the exact graph the rules emit), or some
 * by name. The system property {@value #PROPERTY} ({@code all}, {@code none}, or names separated by
 * commas) sets the default, so that a whole test run can be made with every pass off.
 *
 * @param enabled the names of the passes that may run
 */
public record PassSelection(Set<String> enabled) {

    public static final String PROPERTY = "dnnvis.passes";

    public static final PassSelection ALL = new PassSelection(Set.copyOf(Passes.names()));
    public static final PassSelection NONE = new PassSelection(Set.of());

    public PassSelection {
        enabled = Set.copyOf(enabled);
        List<String> unknown = enabled.stream().filter(n -> !Passes.names().contains(n)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown pass " + String.join(", ", unknown) + " (passes: "
                    + String.join(", ", Passes.names()) + ")");
        }
    }

    /** {@code all}, {@code none}, or pass names separated by commas. */
    public static PassSelection parse(String text) {
        String t = text.strip();
        if (t.equals("all")) {
            return ALL;
        }
        if (t.equals("none") || t.isEmpty()) {
            return NONE;
        }
        return new PassSelection(Arrays.stream(t.split(",")).map(String::strip)
                .collect(Collectors.toCollection(LinkedHashSet::new)));
    }

    /** The selection the system property {@value #PROPERTY} names, else {@link #ALL}. */
    public static PassSelection fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        return value == null ? ALL : parse(value);
    }

    public boolean allows(String passName) {
        return enabled.contains(passName);
    }

    /** This selection without one pass. */
    public PassSelection without(String passName) {
        Set<String> rest = new LinkedHashSet<>(enabled);
        rest.remove(passName);
        return new PassSelection(rest);
    }
}
