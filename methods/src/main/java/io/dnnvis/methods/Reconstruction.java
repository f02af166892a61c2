package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.onnx.Layer;
import io.dnnvis.trace.TensorValue;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of a backward-net run: one reconstruction per neuron, stacked on the first axis
 * ({@code [B, C, H, W]}: NCHW whatever the model's input layout, so that an NHWC model and its
 * NCHW twin give the same values), and, when the request asked for them, the target layer's forward
 * activation and the signal at every tensor on the way back. Holds its values: usable after the
 * {@link Visualizer} is closed.
 *
 * @param request what ran
 * @param layer the target layer
 * @param neurons the channel of each reconstruction, in order
 * @param tensor all reconstructions, {@code [B, C, H, W]} (NCHW for NHWC models too)
 * @param activation the target layer's forward value; null unless the request asked {@code withActivation()}
 * @param signals the signals on the way back (none unless the request asked {@code withSignals()})
 */
public record Reconstruction(BackwardRequest request, Layer layer, int[] neurons, TensorValue tensor,
        TensorValue activation, Signals signals) {

    public Reconstruction {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(signals, "signals");
        neurons = neurons.clone();
    }

    /** The channel of each reconstruction, in order, as a copy. */
    @Override
    public int[] neurons() {
        return neurons.clone();
    }

    /**
     * All reconstructions as a new ND4J array, {@code tensor().toINDArray()}: {@code [B, C, H, W]},
     * B = {@code neurons().length}, C, H, W the input's channels, height and width (NCHW).
     */
    public INDArray values() {
        return tensor.toINDArray();
    }

    /**
     * The forward activation of the target layer, computed during the run.
     *
     * @throws BadRequestException unless the request asked {@code withActivation()}
     */
    @Override
    public TensorValue activation() {
        if (activation == null) {
            throw new BadRequestException("the activation of layer '" + request.layer()
                    + "' was not kept (request withActivation())");
        }
        return activation;
    }

    /** Tensors whose signal was recorded, sorted (empty unless the request asked {@code withSignals()}). */
    public List<String> signalTensors() {
        return signals.tensors();
    }

    /**
     * The signal arriving at a tensor on the way back, {@code [B] ++ shape}: one signal per neuron
     * of the request (B = {@code neurons().length}) in front of the tensor's whole forward shape,
     * its batch axis of 1 included, so {@code [B, 1, C, H, W]} for a 4-D layer such as a ReLU
     * after a convolution. The tensor is a layer's output (by alias, node name or tensor name) or
     * the model input (in the tensor's own layout, NHWC for an NHWC input, unlike {@link #tensor()}).
     *
     * @throws BadRequestException when none was recorded there
     */
    public TensorValue signal(String layerOrTensor) {
        return signals.get(layerOrTensor);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reconstruction r && request.equals(r.request) && layer.equals(r.layer)
                && Arrays.equals(neurons, r.neurons) && tensor.equals(r.tensor)
                && Objects.equals(activation, r.activation) && signals.equals(r.signals);
    }

    @Override
    public int hashCode() {
        return Objects.hash(request, layer, Arrays.hashCode(neurons), tensor, activation, signals);
    }

    @Override
    public String toString() {
        return "Reconstruction[" + request + ", neurons " + Arrays.toString(neurons) + ", "
                + Arrays.toString(tensor.shape()) + "]";
    }
}
