package io.dnnvis.methods.core;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.trace.backward.rules.SliceRule;
import java.util.Optional;

/**
 * Which input positions a Slice node keeps on each axis, from constant starts, ends, axes and steps:
 * the attributes (opset 1 to 9) or constant inputs; a slice computed from the image has no geometry.
 */
public final class SliceGeometry {

    private final long[][] byAxis;

    private SliceGeometry(long[][] byAxis) {
        this.byAxis = byAxis;
    }

    /** The geometry of {@code slice}, whose data input has {@code rank} axes; empty where it is not constant. */
    public static Optional<SliceGeometry> of(Graph graph, Node slice, int rank) {
        long[] starts = slice.intsAttribute("starts").orElse(null);
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (starts != null) {
            ends = slice.intsAttribute("ends").orElse(null);
            axes = slice.intsAttribute("axes").orElse(null);
        } else {
            starts = Constants.longs(graph, input(slice, 1)).orElse(null);
            ends = Constants.longs(graph, input(slice, 2)).orElse(null);
            axes = optional(graph, input(slice, 3));
            steps = optional(graph, input(slice, 4));
            if (axes == null && !input(slice, 3).isEmpty() || steps == null && !input(slice, 4).isEmpty()) {
                return Optional.empty();
            }
        }
        if (starts == null || ends == null || ends.length != starts.length) {
            return Optional.empty();
        }
        if (axes == null) {
            axes = java.util.stream.LongStream.range(0, starts.length).toArray();
        }
        if (axes.length != starts.length || steps != null && steps.length != starts.length) {
            return Optional.empty();
        }
        long[][] byAxis = new long[rank][];
        for (int k = 0; k < axes.length; k++) {
            int axis = (int) (axes[k] < 0 ? axes[k] + rank : axes[k]);
            long step = steps == null ? 1 : steps[k];
            if (axis < 0 || axis >= rank || step == 0 || byAxis[axis] != null) {
                return Optional.empty();
            }
            byAxis[axis] = new long[] {starts[k], ends[k], step};
        }
        return Optional.of(new SliceGeometry(byAxis));
    }

    /** The input positions (of an axis of {@code size}) that the output's positions of {@code axis} read, in order. */
    public int[] kept(int axis, int size) {
        long[] s = byAxis[axis];
        if (s == null) {
            return java.util.stream.IntStream.range(0, size).toArray();
        }
        return SliceRule.indices(size, s[0], s[1], s[2]);
    }

    private static long[] optional(Graph graph, String tensor) {
        return tensor.isEmpty() ? null : Constants.longs(graph, tensor).orElse(null);
    }

    private static String input(Node node, int k) {
        return node.inputs().size() > k ? node.inputs().get(k) : "";
    }
}
