package io.dnnvis.methods.core;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A {@link Target} resolved on one tensor of the model: which elements of it (for one image, batch
 * index 0) the target's score sums. The score is their sum; its gradient is 1 at each of them and 0
 * elsewhere ({@link #mask()}).
 *
 * @param target what was asked
 * @param tensor the tensor holding the score
 * @param shape that tensor's shape for one image ({@code [1, ...]})
 * @param indices the selected elements, flat row-major indices into {@code shape}, ascending
 * @param unitAxis the axis whose index names what the target selects: the classes' axis of a class
 *     target ({@link OutputLayout}), else 1 (channels)
 */
public record TargetSelection(Target target, String tensor, long[] shape, int[] indices, int unitAxis) {

    public TargetSelection {
        shape = shape.clone();
        indices = indices.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    /**
     * The tensor {@code target} lies in: a model output for class and output targets (the model's
     * first output unless the target names one), the tensor of {@code layer} for neurons.
     *
     * @throws BadRequestException when a neuron target has no layer, or the model has no output
     */
    public static String tensorOf(OnnxModel model, Target target, String layer) {
        Graph graph = model.graph();
        if (target instanceof Target.NeuronScore) {
            if (layer == null || layer.isBlank()) {
                throw new BadRequestException("no layer given for target " + target);
            }
            return graph.layer(layer).tensor();
        }
        if (target instanceof Target.OutputElement e) {
            return graph.layer(e.output()).tensor();
        }
        Target.ClassScore c = (Target.ClassScore) target;
        if (c.output().isPresent()) {
            return graph.layer(c.output().get()).tensor();
        }
        List<ValueInfo> outputs = graph.outputs();
        if (outputs.isEmpty()) {
            throw new BadRequestException(model.fileName() + ": the model has no output for a class target");
        }
        return graph.tensor(outputs.get(0).name());
    }

    /**
     * Resolves {@code target} on {@code tensor} (one image) and refuses a target whose gradient is zero
     * everywhere ({@link SoftmaxSums}). A class target reads the classes where the output's
     * {@link OutputLayout} puts them.
     *
     * @param layer what the caller called the tensor, for messages
     * @param shapes the shapes of the graph's tensors for one image, {@code tensor}'s and those on the
     *     way to it included
     * @param layout where the model input holds the image's rows and columns
     * @throws BadRequestException when the class, channel, step, position, area or index does not
     *     exist in the tensor, or the target is the sum of a softmax over its axis
     */
    public static TargetSelection resolve(OnnxModel model, Target target, String layer, String tensor,
            Map<String, long[]> shapes, InputLayout layout) {
        long[] shape = shapes.get(tensor);
        int[] indices;
        int unitAxis = 1;
        if (target instanceof Target.ClassScore c) {
            OutputLayout output;
            try {
                output = OutputLayout.of(model.graph(), shapes, layout, tensor);
            } catch (BadRequestException e) {
                throw new BadRequestException("'" + tensor + "' has shape " + Arrays.toString(shape) + "; class "
                        + "targets need an output [N,K], [N,K,H,W] or [N,H,W,K], [N,T,K] or [T,N,K] (use "
                        + "output:NAME[i,j,...] for one element)");
            }
            indices = ClassElements.of(model, c, tensor, shape, output);
            unitAxis = output.classAxis();
        } else if (target instanceof Target.NeuronScore n) {
            indices = neuronElements(n, layer, shape);
        } else {
            indices = new int[] {elementIndex((Target.OutputElement) target, shape)};
        }
        TargetSelection selection = new TargetSelection(target, tensor, shape, indices, unitAxis);
        SoftmaxSums.refuseZeroGradient(model, selection);
        return selection;
    }

    /**
     * What the target selects: the class of a class target, else the channel (axis 1) of its first
     * element (the element itself in a tensor of rank 1).
     */
    public int unit() {
        if (shape.length < 2) {
            return indices[0];
        }
        long stride = 1;
        for (int a = shape.length - 1; a > unitAxis; a--) {
            stride *= shape[a];
        }
        return (int) ((indices[0] / stride) % shape[unitAxis]);
    }

    /** Whether {@code tensor} is a Softmax's output (through Identity or Dropout): sums of it may have no gradient. */
    public static boolean isSoftmaxOutput(OnnxModel model, String tensor) {
        return SoftmaxSums.softmaxBehind(model, tensor).isPresent();
    }

    /** The target's value in {@code values} (one image's tensor starting at {@code offset}): the sum of the selected elements. */
    public double score(float[] values, int offset) {
        double sum = 0;
        for (int i : indices) {
            sum += values[offset + i];
        }
        return sum;
    }

    /** The gradient of the score with respect to the tensor: 1 at each selected element, 0 elsewhere. */
    public float[] mask() {
        float[] mask = new float[Math.toIntExact(size(shape))];
        for (int i : indices) {
            mask[i] = 1f;
        }
        return mask;
    }

    static long size(long[] shape) {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    static int[] range(int from, int count) {
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            out[k] = from + k;
        }
        return out;
    }

    private static int[] neuronElements(Target.NeuronScore n, String layer, long[] shape) {
        if (shape.length < 2) {
            throw new BadRequestException("layer '" + layer + "' has shape " + Arrays.toString(shape)
                    + "; neuron targets need a channel axis");
        }
        int channels = (int) shape[1];
        if (n.channel() >= channels) {
            throw new BadRequestException("neuron " + n.channel() + " does not exist in layer '" + layer
                    + "' (channels 0.." + (channels - 1) + ")");
        }
        int plane = (int) (size(shape) / shape[0] / channels);
        if (n.position().isEmpty()) {
            return range(n.channel() * plane, plane);
        }
        GridPoint p = n.position().get();
        if (shape.length != 4) {
            throw new BadRequestException("a position needs a 4-D layer, '" + layer + "' has shape "
                    + Arrays.toString(shape));
        }
        if (p.y() >= shape[2] || p.x() >= shape[3]) {
            throw new BadRequestException("position " + p + " is outside layer '" + layer + "' (rows 0.."
                    + (shape[2] - 1) + ", columns 0.." + (shape[3] - 1) + ")");
        }
        return new int[] {(int) (n.channel() * plane + p.y() * shape[3] + p.x())};
    }

    private static int elementIndex(Target.OutputElement e, long[] shape) {
        List<Long> given = e.indices();
        if (given.size() != shape.length) {
            throw new BadRequestException("target " + e + " has " + given.size() + " indices; '" + e.output()
                    + "' has shape " + Arrays.toString(shape) + " (one index per axis, the batch axis 0 included)");
        }
        long flat = 0;
        for (int a = 0; a < shape.length; a++) {
            long i = given.get(a) < 0 ? given.get(a) + shape[a] : given.get(a);
            if (i < 0 || i >= shape[a]) {
                throw new BadRequestException("target " + e + ": index " + given.get(a) + " of axis " + a
                        + " is outside '" + e.output() + "' of shape " + Arrays.toString(shape));
            }
            flat = flat * shape[a] + i;
        }
        return Math.toIntExact(flat);
    }
}
