package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ChannelAxis;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Layer;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardEngine;
import io.dnnvis.trace.backward.BackwardResult;
import io.dnnvis.trace.backward.BackwardSpec;
import io.dnnvis.trace.backward.ChannelSelections;
import io.dnnvis.trace.backward.StartSignal;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/** Runs backward requests on a backward engine: checks them against the model and makes the selections. */
final class Reconstructor {

    private final Graph graph;
    private final BackwardEngine engine;
    private final InputLayout layout;

    Reconstructor(Graph graph, BackwardEngine engine, InputLayout layout) {
        this.graph = graph;
        this.engine = engine;
        this.layout = layout;
    }

    /** Runs {@code request} on one input image {@code [1, C, H, W]}; the result holds everything it asked for. */
    Reconstruction run(BackwardRequest request, TensorValue input) {
        Layer target = graph.layer(request.layer());
        long[] targetShape = targetShape(target, input);
        int[] channels = channels(request, targetShape);
        checkPosition(request, targetShape);
        refuseSoftmaxSums(request, target, targetShape, channels);
        BackwardSpec spec = new BackwardSpec(target.tensor(), request.method().rules(request.gates()).withPooling(request.pooling()),
                request.start(), request.signals());
        BackwardResult result = engine.run(spec, input, selections(targetShape, channels, request.position()));
        TensorValue activation = request.activation() ? result.target() : null;
        Signals signals = request.signals() ? Signals.of(graph, result.signals()) : Signals.none();
        return new Reconstruction(request, target, channels, asNchw(result.reconstruction(), layout), activation, signals);
    }

    /**
     * Fails as {@link #run} would on {@code input} for a missing layer, neuron or position, without
     * running anything but the (cached) shape probe.
     */
    void check(BackwardRequest request, TensorValue input) {
        Layer target = graph.layer(request.layer());
        long[] targetShape = targetShape(target, input);
        int[] channels = channels(request, targetShape);
        checkPosition(request, targetShape);
        refuseSoftmaxSums(request, target, targetShape, channels);
    }

    /**
     * With start 1, a neuron whose map covers whole lines of a Softmax's axis starts from the
     * gradient of a constant (the softmax sums to 1 along it): refused rather than drawn as noise.
     */
    private void refuseSoftmaxSums(BackwardRequest request, Layer target, long[] shape, int[] channels) {
        if (request.start() != StartSignal.ONES || !TargetSelection.isSoftmaxOutput(engine.model(), target.tensor())) {
            return;
        }
        for (int c : channels) {
            Target neuron = request.position().map(p -> Target.neuron(c, p.y(), p.x())).orElse(Target.neuron(c));
            TargetSelection.resolve(engine.model(), neuron, request.layer(), target.tensor(),
                    java.util.Map.of(target.tensor(), shape), layout);
        }
    }

    /** The reconstructions {@code [B] ++ input shape} as NCHW {@code [B, C, H, W]} (as they are for an NCHW input). */
    static TensorValue asNchw(TensorValue reconstruction, InputLayout layout) {
        long[] shape = reconstruction.shape();
        if (layout == InputLayout.NCHW || shape.length != 4) {
            return reconstruction;
        }
        return TensorValue.owning(reconstruction.name(), layout.toNchwShape(shape),
                layout.toNchw(reconstruction.data(), shape));
    }

    /** The layer's shape; refused where it holds its channels last, since neurons are its channels on axis 1. */
    private long[] targetShape(Layer target, TensorValue input) {
        Map<String, long[]> shapes = engine.shapes(target.tensor(), input.shape());
        ChannelAxis.requireFirst(graph, shapes, layout, target.tensor(),
                "'" + (target.alias().isEmpty() ? target.tensor() : target.alias()) + "'",
                "neurons are counted as channels on axis 1");
        return shapes.get(target.tensor());
    }

    private static int[] channels(BackwardRequest request, long[] targetShape) {
        String layer = request.layer();
        if (targetShape.length < 2) {
            throw new BadRequestException("layer '" + layer + "' has shape " + Arrays.toString(targetShape)
                    + "; neurons need a channel axis");
        }
        int count = (int) targetShape[1];
        int[] chosen = request.allNeurons() ? IntStream.range(0, count).toArray() : request.neurons();
        for (int c : chosen) {
            if (c < 0 || c >= count) {
                throw new BadRequestException("neuron " + c + " does not exist in layer '" + layer + "' (channels 0.."
                        + (count - 1) + ")");
            }
        }
        return chosen;
    }

    private static void checkPosition(BackwardRequest request, long[] shape) {
        if (request.position().isEmpty()) {
            return;
        }
        GridPoint p = request.position().get();
        String layer = request.layer();
        if (shape.length != 4) {
            throw new BadRequestException("a position (y, x) needs a 4-D layer, '" + layer + "' has shape "
                    + Arrays.toString(shape));
        }
        if (p.y() < 0 || p.y() >= shape[2] || p.x() < 0 || p.x() >= shape[3]) {
            throw new BadRequestException("position " + p.y() + "," + p.x() + " is outside layer '" + layer
                    + "' (rows 0.." + (shape[2] - 1) + ", columns 0.." + (shape[3] - 1) + ")");
        }
    }

    /** Each neuron as its channel, selected over the whole map or at the position. */
    private static ChannelSelections selections(long[] shape, int[] channels, Optional<GridPoint> position) {
        int map = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact) / shape[1]);
        int plane = Math.toIntExact(map / shape[0]);
        float[] values = new float[Math.multiplyExact(map, channels.length)];
        long[] picked = new long[channels.length];
        for (int b = 0; b < channels.length; b++) {
            picked[b] = channels[b];
            for (int n = 0; n < shape[0]; n++) {
                int base = b * map + n * plane;
                if (position.isPresent()) {
                    values[(int) (base + position.get().y() * shape[3] + position.get().x())] = 1f;
                } else {
                    Arrays.fill(values, base, base + plane, 1f);
                }
            }
        }
        return new ChannelSelections(picked, values);
    }
}
