package io.dnnvis.methods.core;

import io.dnnvis.onnx.Graph;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a 4-D layer holds its channels on axis 1, which layer occlusion, class activation maps,
 * neuron targets, {@code --neuron} and the audit count as channels. A TensorFlow export keeps its
 * tensors channels last ({@code [N, H, W, C]}) except between the Transposes around each convolution,
 * and ConvNeXt's Linear layers sit between two Transposes: there axis 1 holds image rows, and reading
 * it as channels gives numbers that look right and are not.
 */
public final class ChannelAxis {

    private ChannelAxis() {
    }

    /**
     * The axes {@code [row, col]} where {@code tensor} holds the image when the graph says so and one
     * of them is axis 1 (its channels elsewhere, last); empty where axis 1 holds no image axis (rows and
     * columns on 2 and 3, or on 3 and 2 after a Transpose that swaps them) or the graph does not say.
     *
     * @param shapes the shapes of the graph's tensors at the input's size
     */
    public static Optional<int[]> misplaced(Graph graph, Map<String, long[]> shapes, InputLayout layout,
            String tensor) {
        return misplaced(imageAxes(graph, shapes, layout), tensor);
    }

    /** As {@link #misplaced(Graph, Map, InputLayout, String)}, among axes {@link #imageAxes} found. */
    public static Optional<int[]> misplaced(Map<String, int[]> imageAxes, String tensor) {
        return Optional.ofNullable(imageAxes.get(tensor)).filter(ChannelAxis::holdsImage);
    }

    /** The image axes of every 4-D tensor where the graph keeps them ({@link ImageAxes#all}), for many questions. */
    public static Map<String, int[]> imageAxes(Graph graph, Map<String, long[]> shapes, InputLayout layout) {
        return ImageAxes.all(graph, shapes, graph.inputs().get(0).name(), layout.heightAxis(), layout.widthAxis());
    }

    /** Whether image axes {@code [row, col]} put rows or columns on axis 1. */
    public static boolean holdsImage(int[] axes) {
        return axes[0] == 1 || axes[1] == 1;
    }

    /**
     * Refuses {@code tensor} (called {@code layer} in the message) where it holds its channels last.
     *
     * @param use what reads axis 1 as channels, e.g. "class activation maps weigh the channels on axis 1"
     * @throws BadRequestException naming the layer, its shape and where its image axes are
     */
    public static void requireFirst(Graph graph, Map<String, long[]> shapes, InputLayout layout, String tensor,
            String layer, String use) {
        Optional<int[]> axes = misplaced(graph, shapes, layout, tensor);
        if (axes.isPresent()) {
            throw new BadRequestException(message(layer, shapes.get(tensor), axes.get(), use));
        }
    }

    /** The refusal's words: the layer, its shape, where its image axes are, and {@code use}. */
    public static String message(String layer, long[] shape, int[] axes, String use) {
        return "layer " + layer + " " + Arrays.toString(shape) + " holds the image's rows and columns on axes "
                + axes[0] + " and " + axes[1] + (holdsImage(axes) ? " (its channels last)" : "") + "; " + use
                + ": choose a layer where they are on axes 2 and 3";
    }
}
