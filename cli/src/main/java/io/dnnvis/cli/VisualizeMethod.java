package io.dnnvis.cli;

import io.dnnvis.methods.BackwardMethod;
import java.util.List;

/** {@code visualize --method}: one backward net, or all three side by side. */
enum VisualizeMethod {
    DECONVNET(List.of(BackwardMethod.DECONVNET)),
    SALINET(List.of(BackwardMethod.SALINET)),
    DESALINET(List.of(BackwardMethod.DESALINET)),
    ALL(List.of(BackwardMethod.DECONVNET, BackwardMethod.SALINET, BackwardMethod.DESALINET));

    private final List<BackwardMethod> methods;

    VisualizeMethod(List<BackwardMethod> methods) {
        this.methods = methods;
    }

    /** The nets to run, in the order of the figure's columns. */
    List<BackwardMethod> methods() {
        return methods;
    }
}
