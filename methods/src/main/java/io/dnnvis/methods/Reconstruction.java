package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Layer;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardResult;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of a backward-net request: one reconstruction per neuron, stacked on the first axis
 * ({@code [B, C, H, W]}), the target layer's forward activation, and, when requested, the signal at
 * every tensor on the way back.
 */
public final class Reconstruction {

    private final BackwardRequest request;
    private final Layer layer;
    private final int[] neurons;
    private final BackwardResult result;
    private final Graph graph;

    Reconstruction(BackwardRequest request, Graph graph, Layer layer, int[] neurons, BackwardResult result) {
        this.request = request;
        this.graph = graph;
        this.layer = layer;
        this.neurons = neurons.clone();
        this.result = result;
    }

    public BackwardRequest request() {
        return request;
    }

    public Layer layer() {
        return layer;
    }

    /** The channel of each reconstruction, in order. */
    public int[] neurons() {
        return neurons.clone();
    }

    /** All reconstructions, {@code [B, C, H, W]}, as a new ND4J array. */
    public INDArray values() {
        return result.reconstruction().toINDArray();
    }

    /** All reconstructions as a host tensor. */
    public TensorValue tensor() {
        return result.reconstruction();
    }

    /**
     * The forward activation of the target layer. Where the backward pass starts from the neurons'
     * channels alone (a Conv layer with one group and unit strides, no signals recorded) the backward
     * graph computes only those channels, and this is computed on the first call by a forward pass
     * cut at the layer: call it before closing the {@link Visualizer}.
     */
    public TensorValue activation() {
        return result.target();
    }

    /** Tensors whose signal was recorded (empty unless the request asked {@code withSignals()}). */
    public List<String> signalTensors() {
        return List.copyOf(result.signals().keySet());
    }

    /**
     * The signal arriving at a tensor on the way back, {@code [B] ++ shape}: a layer's output (by
     * alias, node name or tensor name) or the model input.
     */
    public INDArray signal(String layerOrTensor) {
        String tensor = result.signals().containsKey(layerOrTensor) ? layerOrTensor
                : graph.findLayer(layerOrTensor).map(Layer::tensor).orElse(layerOrTensor);
        TensorValue v = result.signals().get(tensor);
        if (v == null) {
            throw new BadRequestException("no signal recorded for '" + layerOrTensor
                    + "' (request withSignals(), and name a layer between the input and the target)");
        }
        return v.toINDArray();
    }

    public Map<String, TensorValue> signals() {
        return result.signals();
    }
}
