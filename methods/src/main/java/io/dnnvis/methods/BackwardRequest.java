package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.trace.backward.rules.Pooling;
import io.dnnvis.trace.backward.StartSignal;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backward-net run does: a plain immutable value that checks its own fields on
 * construction; whether the layer, neurons and position exist is checked against the model when it
 * runs ({@link Visualizer#run(BackwardRequest, io.dnnvis.trace.TensorValue)}).
 *
 * <p>Neuron {@code c} selects channel c of the target (every position of its map, or one position
 * with {@code position}); for a 2-D target {@code [N, K]} it selects unit c. Several neurons run in
 * one pass of ONNX Runtime, one reconstruction each.
 *
 * @param method the backward net
 * @param layer the target layer: alias ({@code conv4}), node name or tensor name
 * @param neurons the channels (units) to visualize, in order; empty with {@code allNeurons}
 * @param allNeurons every channel of the layer, in order
 * @param position only the neuron at this position of each selected channel's map; empty: the whole map
 * @param pooling how MaxPool layers send the signal back
 * @param start the start signal: the neuron's activation or 1
 * @param signals whether the signal at every tensor on the way back is kept in the result
 * @param activation whether the layer's forward value is kept in the result (it may cost a forward
 *     pass cut at the layer: the backward graph computes only the neurons' channels where it can)
 * @param gates the activations DeSaliNet and DeconvNet treat as gates ({@link BackwardMethod#rules(Gates)})
 */
public record BackwardRequest(BackwardMethod method, String layer, int[] neurons, boolean allNeurons,
        Optional<GridPoint> position, Pooling pooling, StartSignal start, boolean signals, boolean activation,
        Gates gates) {

    /** @throws BadRequestException when the layer or the neurons are missing */
    public BackwardRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(gates, "gates");
        if (layer == null) {
            throw new BadRequestException("no layer given");
        }
        neurons = neurons.clone();
        if (allNeurons && neurons.length > 0) {
            throw new BadRequestException("give neurons or all neurons of layer '" + layer + "', not both");
        }
        if (!allNeurons && neurons.length == 0) {
            throw new BadRequestException("no neurons given for layer '" + layer + "'");
        }
    }

    /** A request with Relu the only gate ({@link Gates#RELU}). */
    public BackwardRequest(BackwardMethod method, String layer, int[] neurons, boolean allNeurons,
            Optional<GridPoint> position, Pooling pooling, StartSignal start, boolean signals, boolean activation) {
        this(method, layer, neurons, allNeurons, position, pooling, start, signals, activation, Gates.RELU);
    }

    /** This request with {@code g} as its gates. */
    public BackwardRequest withGates(Gates g) {
        return new BackwardRequest(method, layer, neurons, allNeurons, position, pooling, start, signals, activation, g);
    }

    /** The chosen channels (empty with {@link #allNeurons}), as a copy. */
    @Override
    public int[] neurons() {
        return neurons.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackwardRequest r && method == r.method && layer.equals(r.layer)
                && Arrays.equals(neurons, r.neurons) && allNeurons == r.allNeurons && position.equals(r.position)
                && pooling == r.pooling && start == r.start && signals == r.signals && activation == r.activation && gates == r.gates;
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, layer, Arrays.hashCode(neurons), allNeurons, position, pooling, start, signals,
                activation, gates);
    }

    @Override
    public String toString() {
        return method.label() + "(layer " + layer + ", neurons " + (allNeurons ? "all" : Arrays.toString(neurons))
                + position.map(p -> " at " + p).orElse("") + ", pooling " + pooling.name().toLowerCase(Locale.ROOT)
                + ", start " + start.name().toLowerCase(Locale.ROOT)
                + (signals ? ", signals" : "") + (activation ? ", activation" : "")
                + (gates == Gates.RELU ? "" : ", gates " + gates.label()) + ")";
    }
}
