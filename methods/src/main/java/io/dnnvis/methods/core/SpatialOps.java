package io.dnnvis.methods.core;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How ops move positions of a CNN's maps, for the analyses that follow a box of pixels through a
 * graph (receptive fields backwards, an occluder's changed regions forwards): which ops keep every
 * position where it is, which slide a window, and a windowed op's geometry.
 */
public final class SpatialOps {

    /** Ops whose output at a position reads their inputs at that position only (with broadcasting). */
    public static final Set<String> POINTWISE = Set.of("Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu",
            "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Softplus", "Softsign", "Clip", "Gelu", "Mish", "Erf",
            "ThresholdedRelu", "BatchNormalization", "Identity", "Dropout", "Cast", "Neg", "Abs", "Exp", "Log",
            "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Add", "Sub", "Mul", "Div", "Pow",
            "Sum", "Mean", "Max", "Min", "Where", "QuantizeLinear", "DequantizeLinear");

    /** Ops that slide a window over the two spatial axes of an NCHW map (ConvTranspose aside). */
    public static final Set<String> WINDOWED = Set.of("Conv", "MaxPool", "AveragePool", "LpPool");

    /**
     * A windowed op's geometry on the two spatial axes: output index r reads input indices
     * {@code r*s - p + j*d}, j = 0..k-1 (ConvTranspose: the other way round).
     *
     * @param pads the begin pads: the attribute, or what auto_pad SAME_UPPER / SAME_LOWER works out
     */
    public record Window(long[] kernel, long[] strides, long[] dilations, long[] pads, boolean transposed) {
    }

    private SpatialOps() {
    }

    /**
     * The window of a 2-D {@link #WINDOWED} op or ConvTranspose, from its attributes (and its weights'
     * shape where the kernel is not an attribute); empty when it is not a 2-D window.
     *
     * @param shapes the shapes of the node's input and output
     */
    public static Optional<Window> window(Graph graph, Node node, Map<String, long[]> shapes) {
        long[] inShape = shapes.get(node.inputs().get(0));
        long[] outShape = shapes.get(node.output());
        long[] kernel = kernel(graph, node, shapes);
        if (inShape == null || outShape == null || inShape.length != 4 || outShape.length != 4 || kernel == null
                || kernel.length != 2) {
            return Optional.empty();
        }
        long[] strides = node.intsAttribute("strides").orElse(new long[] {1, 1});
        long[] dilations = node.intsAttribute("dilations").orElse(new long[] {1, 1});
        boolean transposed = node.opType().equals("ConvTranspose");
        String autoPad = node.attribute("auto_pad").map(a -> a.asString()).orElse("NOTSET");
        long[] begin = new long[2];
        if (autoPad.startsWith("SAME")) {
            for (int i = 0; i < 2; i++) {
                long reach = (kernel[i] - 1) * dilations[i] + 1;
                long total = transposed
                        ? Math.max(0, strides[i] * (inShape[2 + i] - 1) + reach - outShape[2 + i])
                        : Math.max(0, (outShape[2 + i] - 1) * strides[i] + reach - inShape[2 + i]);
                begin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
            }
        } else {
            long[] pads = node.intsAttribute("pads").orElse(new long[4]);
            begin[0] = pads[0];
            begin[1] = pads[1];
        }
        return Optional.of(new Window(kernel, strides, dilations, begin, transposed));
    }

    private static long[] kernel(Graph graph, Node node, Map<String, long[]> shapes) {
        Optional<long[]> attr = node.intsAttribute("kernel_shape");
        if (attr.isPresent()) {
            return attr.get();
        }
        if (node.opType().equals("Conv") || node.opType().equals("ConvTranspose")) {
            String w = node.inputs().get(1);
            long[] dims = graph.isInitializer(w) ? graph.initializers().get(w).dims() : shapes.get(w);
            return dims == null || dims.length < 3 ? null : Arrays.copyOfRange(dims, 2, dims.length);
        }
        return null;
    }
}
