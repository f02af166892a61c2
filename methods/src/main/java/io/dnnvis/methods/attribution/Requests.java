package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Target;
import java.util.Optional;

/** Checks the requests share. */
final class Requests {

    private Requests() {
    }

    /** Attribution explains a model output; a neuron of a layer is what {@code visualize} explains. */
    static void refuseNeuronTarget(Optional<Target> target) {
        if (target.isPresent() && target.get() instanceof Target.NeuronScore) {
            throw new BadRequestException("target " + target.get() + " is a neuron of a layer: attribution explains a "
                    + "model output (class:K, top, output:NAME[...]); use visualize for neurons");
        }
    }
}
