package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.Target;
import io.dnnvis.trace.backward.StartSignal;
import io.dnnvis.trace.backward.rules.Pooling;
import java.util.Objects;
import java.util.Optional;

/**
 * A backward-net run that explains one {@link Target}: the start signal is the gradient of the
 * target's score with respect to the tensor holding it, 1 at every element the target sums and 0
 * elsewhere ({@link StartSignal#ONES}), or each of those elements' value ({@link StartSignal#ACTIVATION}).
 * SaliNet's result is then the gradient of the score with respect to the input.
 *
 * @param method the backward net
 * @param target the score to explain
 * @param layer the layer a neuron target lies in; for class and output targets empty, or the
 *     target's own output tensor (name or alias)
 * @param pooling how MaxPool layers send the signal back
 * @param start 1 at the selected elements, or their values
 * @param gates the activations DeSaliNet and DeconvNet treat as gates ({@link BackwardMethod#rules(Gates)})
 */
public record TargetRequest(BackwardMethod method, Target target, Optional<String> layer, Pooling pooling,
        StartSignal start, Gates gates) {

    /** @throws BadRequestException for a neuron target without a layer */
    public TargetRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(gates, "gates");
        if (target.needsLayer() && layer.isEmpty()) {
            throw new BadRequestException("target " + target + " needs a layer");
        }
    }

    /** A request with Relu the only gate ({@link Gates#RELU}). */
    public TargetRequest(BackwardMethod method, Target target, Optional<String> layer, Pooling pooling,
            StartSignal start) {
        this(method, target, layer, pooling, start, Gates.RELU);
    }

    /** The gradient of {@code target}'s score, sent back by {@code method} (switch pooling, start 1). */
    public static TargetRequest of(BackwardMethod method, Target target) {
        return new TargetRequest(method, target, Optional.empty(), Pooling.SWITCH, StartSignal.ONES);
    }

    /** The gradient of {@code target}'s score in layer {@code layer} (neuron targets need one). */
    public static TargetRequest of(BackwardMethod method, Target target, String layer) {
        return new TargetRequest(method, target, Optional.of(layer), Pooling.SWITCH, StartSignal.ONES);
    }

    public TargetRequest withStart(StartSignal signal) {
        return new TargetRequest(method, target, layer, pooling, signal, gates);
    }

    public TargetRequest withPooling(Pooling p) {
        return new TargetRequest(method, target, layer, p, start, gates);
    }

    public TargetRequest withGates(Gates g) {
        return new TargetRequest(method, target, layer, pooling, start, g);
    }

    @Override
    public String toString() {
        return method.label() + "(target " + target + layer.map(l -> " of " + l).orElse("") + ", pooling "
                + pooling.label() + ", start " + start.label() + (gates == Gates.RELU ? "" : ", gates " + gates.label())
                + ")";
    }
}
