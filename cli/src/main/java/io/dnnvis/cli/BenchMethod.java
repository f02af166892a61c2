package io.dnnvis.cli;

import io.dnnvis.methods.BackwardMethod;
import java.util.Optional;

/** {@code bench --method}: a backward net, or layer occlusion. */
enum BenchMethod {
    DECONVNET(BackwardMethod.DECONVNET),
    SALINET(BackwardMethod.SALINET),
    DESALINET(BackwardMethod.DESALINET),
    OCCLUSION(null);

    private final BackwardMethod backward;

    BenchMethod(BackwardMethod backward) {
        this.backward = backward;
    }

    /** The backward net to time; empty for occlusion. */
    Optional<BackwardMethod> backward() {
        return Optional.ofNullable(backward);
    }

    /** The name the report gives it, as on the command line. */
    String label() {
        return ValueTypes.label(this);
    }
}
