package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.onnx.Layer;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardResult;
import io.dnnvis.trace.backward.BackwardSpec;
import io.dnnvis.trace.backward.ChannelSelections;
import io.dnnvis.trace.backward.Pooling;
import io.dnnvis.trace.backward.StartSignal;
import java.util.Arrays;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An immutable, fluent request for a backward-net visualization. Each setter returns a new request,
 * so one request can be re-run, logged and compared.
 *
 * <p>Neuron {@code c} selects channel c of the target (every position of its map, or one position
 * with {@link #at}); for a 2-D target {@code [N, K]} it selects unit c. Several neurons run in one
 * pass of ONNX Runtime, one reconstruction each.
 */
public final class BackwardRequest {

    private final Visualizer visualizer;
    private final BackwardMethod method;
    private final String layer;
    private final int[] neurons;
    private final boolean allNeurons;
    private final int[] yx;
    private final Pooling pooling;
    private final StartSignal start;
    private final boolean signals;

    private BackwardRequest(Visualizer visualizer, BackwardMethod method, String layer, int[] neurons,
            boolean allNeurons, int[] yx, Pooling pooling, StartSignal start, boolean signals) {
        this.visualizer = visualizer;
        this.method = method;
        this.layer = layer;
        this.neurons = neurons;
        this.allNeurons = allNeurons;
        this.yx = yx;
        this.pooling = pooling;
        this.start = start;
        this.signals = signals;
    }

    static BackwardRequest start(Visualizer visualizer, BackwardMethod method) {
        return new BackwardRequest(visualizer, method, null, new int[0], false, null, Pooling.SWITCH,
                StartSignal.ACTIVATION, false);
    }

    /** The target layer: alias ({@code conv4}), node name or tensor name. */
    public BackwardRequest layer(String nameOrAlias) {
        return new BackwardRequest(visualizer, method, nameOrAlias, neurons, allNeurons, yx, pooling, start, signals);
    }

    /** The channels (units) to visualize, one reconstruction each. */
    public BackwardRequest neurons(int... channels) {
        return new BackwardRequest(visualizer, method, layer, channels.clone(), false, yx, pooling, start, signals);
    }

    /** Every channel of the layer. */
    public BackwardRequest allNeurons() {
        return new BackwardRequest(visualizer, method, layer, new int[0], true, yx, pooling, start, signals);
    }

    /** Only the neuron at row y, column x of each selected channel's map. */
    public BackwardRequest at(int y, int x) {
        return new BackwardRequest(visualizer, method, layer, neurons, allNeurons, new int[] {y, x}, pooling, start,
                signals);
    }

    public BackwardRequest pooling(Pooling p) {
        return new BackwardRequest(visualizer, method, layer, neurons, allNeurons, yx, p, start, signals);
    }

    public BackwardRequest start(StartSignal s) {
        return new BackwardRequest(visualizer, method, layer, neurons, allNeurons, yx, pooling, s, signals);
    }

    /** Also return the signal at every tensor on the way back (as the original library let you watch). */
    public BackwardRequest withSignals() {
        return new BackwardRequest(visualizer, method, layer, neurons, allNeurons, yx, pooling, start, true);
    }

    public BackwardMethod method() {
        return method;
    }

    public Optional<String> layerName() {
        return Optional.ofNullable(layer);
    }

    public Pooling pooling() {
        return pooling;
    }

    public StartSignal startSignal() {
        return start;
    }

    public Optional<int[]> position() {
        return Optional.ofNullable(yx).map(int[]::clone);
    }

    /** Runs the request on one input image {@code [1, C, H, W]}. */
    public Reconstruction run(INDArray input) {
        return run(TensorValue.of(visualizer.model().graph().inputs().get(0).name(), input));
    }

    /** Runs the request on one input image {@code [1, C, H, W]}. */
    public Reconstruction run(TensorValue input) {
        Layer target = target();
        BackwardSpec spec = new BackwardSpec(target.tensor(), method.rules(), pooling, start, signals);
        long[] targetShape = visualizer.engine().shapes(target.tensor(), input.shape()).get(target.tensor());
        int[] channels = channels(targetShape);
        checkPosition(targetShape);
        BackwardResult result = visualizer.engine().run(spec, input, selections(targetShape, channels));
        return new Reconstruction(this, visualizer.model().graph(), target, channels, result);
    }

    /**
     * Fails as {@link #run} would on {@code input} for a missing layer, neuron or position, without
     * running anything but the (cached) shape probe: lets a caller refuse a request before other work.
     */
    public void check(TensorValue input) {
        Layer target = target();
        long[] targetShape = visualizer.engine().shapes(target.tensor(), input.shape()).get(target.tensor());
        channels(targetShape);
        checkPosition(targetShape);
    }

    private Layer target() {
        if (layer == null) {
            throw new BadRequestException("no layer given");
        }
        return visualizer.model().graph().layer(layer);
    }

    private int[] channels(long[] targetShape) {
        if (targetShape.length < 2) {
            throw new BadRequestException("layer '" + layer + "' has shape " + Arrays.toString(targetShape)
                    + "; neurons need a channel axis");
        }
        int count = (int) targetShape[1];
        int[] chosen = allNeurons ? java.util.stream.IntStream.range(0, count).toArray() : neurons;
        if (chosen.length == 0) {
            throw new BadRequestException("no neurons given for layer '" + layer + "'");
        }
        for (int c : chosen) {
            if (c < 0 || c >= count) {
                throw new BadRequestException("neuron " + c + " does not exist in layer '" + layer + "' (channels 0.."
                        + (count - 1) + ")");
            }
        }
        return chosen.clone();
    }

    private void checkPosition(long[] shape) {
        if (yx == null) {
            return;
        }
        if (shape.length != 4) {
            throw new BadRequestException("a position (y, x) needs a 4-D layer, '" + layer + "' has shape "
                    + Arrays.toString(shape));
        }
        if (yx[0] < 0 || yx[0] >= shape[2] || yx[1] < 0 || yx[1] >= shape[3]) {
            throw new BadRequestException("position " + yx[0] + "," + yx[1] + " is outside layer '" + layer
                    + "' (rows 0.." + (shape[2] - 1) + ", columns 0.." + (shape[3] - 1) + ")");
        }
    }

    /** Each neuron as its channel, selected over the whole map or at the position. */
    private ChannelSelections selections(long[] shape, int[] channels) {
        int map = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact) / shape[1]);
        int plane = Math.toIntExact(map / shape[0]);
        float[] values = new float[Math.multiplyExact(map, channels.length)];
        long[] picked = new long[channels.length];
        for (int b = 0; b < channels.length; b++) {
            picked[b] = channels[b];
            for (int n = 0; n < shape[0]; n++) {
                int base = b * map + n * plane;
                if (yx != null) {
                    values[(int) (base + yx[0] * shape[3] + yx[1])] = 1f;
                } else {
                    Arrays.fill(values, base, base + plane, 1f);
                }
            }
        }
        return new ChannelSelections(picked, values);
    }
}
