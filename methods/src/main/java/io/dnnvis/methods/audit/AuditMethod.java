package io.dnnvis.methods.audit;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.core.BadRequestException;
import java.util.Locale;
import java.util.Optional;

/** The backward net that draws each top image's reconstruction in an audit, or none. */
public enum AuditMethod {
    DECONVNET(BackwardMethod.DECONVNET),
    DESALINET(BackwardMethod.DESALINET),
    SALINET(BackwardMethod.SALINET),
    NONE(null);

    private final BackwardMethod backward;

    AuditMethod(BackwardMethod backward) {
        this.backward = backward;
    }

    /** The backward net, empty for {@link #NONE} (no reconstructions). */
    public Optional<BackwardMethod> backward() {
        return Optional.ofNullable(backward);
    }

    /** The name on the command line and in {@code audit.json}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code deconvnet}, {@code desalinet}, {@code salinet} or {@code none}. */
    public static AuditMethod parse(String text) {
        for (AuditMethod m : values()) {
            if (m.label().equalsIgnoreCase(text.strip())) {
                return m;
            }
        }
        throw new BadRequestException("unknown audit method '" + text + "'; use deconvnet, desalinet, salinet or none");
    }
}
