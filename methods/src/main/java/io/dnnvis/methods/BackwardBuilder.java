package io.dnnvis.methods;

import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.Pooling;
import io.dnnvis.trace.backward.StartSignal;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds a {@link BackwardRequest} fluently and runs it on the {@link Visualizer} it came from:
 * {@code vis.desalinet().layer("conv4").neurons(10).run(input)}.
 *
 * <p>Immutable: each setter returns a new builder, so one can be kept, varied and run again.
 * Nothing is checked before {@link #request()}, which every terminal method calls first.
 * Defaults: switch unpooling, the activation as start signal, no signals, no activation kept, Relu the only gate.
 */
public final class BackwardBuilder {

    private final Visualizer visualizer;
    private final BackwardMethod method;
    private final String layer;
    private final int[] neurons;
    private final boolean allNeurons;
    private final GridPoint position;
    private final Pooling pooling;
    private final StartSignal start;
    private final boolean signals;
    private final boolean activation;
    private final Gates gates;

    private BackwardBuilder(Visualizer visualizer, BackwardMethod method, String layer, int[] neurons,
            boolean allNeurons, GridPoint position, Pooling pooling, StartSignal start, boolean signals,
            boolean activation, Gates gates) {
        this.visualizer = visualizer;
        this.method = method;
        this.layer = layer;
        this.neurons = neurons;
        this.allNeurons = allNeurons;
        this.position = position;
        this.pooling = pooling;
        this.start = start;
        this.signals = signals;
        this.activation = activation;
        this.gates = gates;
    }

    static BackwardBuilder on(Visualizer visualizer, BackwardMethod method) {
        return new BackwardBuilder(visualizer, method, null, new int[0], false, null, Pooling.SWITCH,
                StartSignal.ACTIVATION, false, false, Gates.RELU);
    }

    /** The target layer: alias ({@code conv4}), node name or tensor name. */
    public BackwardBuilder layer(String nameOrAlias) {
        return new BackwardBuilder(visualizer, method, nameOrAlias, neurons, allNeurons, position, pooling, start,
                signals, activation, gates);
    }

    /** The channels (units) to visualize, one reconstruction each. */
    public BackwardBuilder neurons(int... channels) {
        return new BackwardBuilder(visualizer, method, layer, channels.clone(), false, position, pooling, start,
                signals, activation, gates);
    }

    /** Every channel of the layer. */
    public BackwardBuilder allNeurons() {
        return new BackwardBuilder(visualizer, method, layer, new int[0], true, position, pooling, start, signals,
                activation, gates);
    }

    /** Only the neuron at row y, column x of each selected channel's map. */
    public BackwardBuilder position(int y, int x) {
        return new BackwardBuilder(visualizer, method, layer, neurons, allNeurons, new GridPoint(y, x), pooling,
                start, signals, activation, gates);
    }

    /** How MaxPool layers send the signal back (default: switch). */
    public BackwardBuilder pooling(Pooling p) {
        return new BackwardBuilder(visualizer, method, layer, neurons, allNeurons, position, p, start, signals,
                activation, gates);
    }

    /** The start signal (default: the neuron's activation). */
    public BackwardBuilder start(StartSignal s) {
        return new BackwardBuilder(visualizer, method, layer, neurons, allNeurons, position, pooling, s, signals,
                activation, gates);
    }

    /** Also keep the signal at every tensor on the way back (as the original library let you watch). */
    public BackwardBuilder withSignals() {
        return new BackwardBuilder(visualizer, method, layer, neurons, allNeurons, position, pooling, start, true,
                activation, gates);
    }

    /** Also keep the target layer's forward activation. */
    public BackwardBuilder withActivation() {
        return new BackwardBuilder(visualizer, method, layer, neurons, allNeurons, position, pooling, start, signals,
                true, gates);
    }

    /** Which activations DeSaliNet and DeconvNet treat as gates (default: {@link Gates#RELU}, Relu only). */
    public BackwardBuilder gates(Gates g) {
        return new BackwardBuilder(visualizer, method, layer, neurons, allNeurons, position, pooling, start, signals,
                activation, g);
    }

    /**
     * The request as a value.
     *
     * @throws io.dnnvis.methods.core.BadRequestException when the layer or the neurons are missing
     */
    public BackwardRequest request() {
        return new BackwardRequest(method, layer, neurons, allNeurons, Optional.ofNullable(position), pooling, start,
                signals, activation, gates);
    }

    /** Runs the request on one input image, laid out as the model declares it ({@link Visualizer#layout()}). */
    public Reconstruction run(TensorValue input) {
        return visualizer.run(request(), input);
    }

    /** Runs the request on one input image, laid out as the model declares it ({@link Visualizer#layout()}). */
    public Reconstruction run(INDArray input) {
        return run(TensorValue.of(visualizer.model().graph().inputs().get(0).name(), input));
    }

    /** {@link Visualizer#check} of this request. */
    public void check(TensorValue input) {
        visualizer.check(request(), input);
    }
}
