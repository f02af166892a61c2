package io.dnnvis.onnx.geometry;

import io.dnnvis.onnx.ConstantValues;
import io.dnnvis.onnx.Node;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Which input positions a Slice node keeps on each axis, from constant starts, ends, axes and steps:
 * the attributes (opset 1 to 9) or constant inputs (opset 10 on); a slice computed from the image has
 * no geometry. The one reading of Slice's attributes and inputs, for the backward rule and for the
 * geometry of receptive fields and occluded regions.
 */
public final class SliceGeometry {

    /** Per axis of the data: {start, end, step} as the node gives them, or null for an axis it keeps whole. */
    private final long[][] byAxis;

    private SliceGeometry(long[][] byAxis) {
        this.byAxis = byAxis;
    }

    /**
     * The geometry of {@code slice}, whose data input has {@code rank} axes; empty where its bounds
     * are not known constants, a step is 0, an axis is out of range or named twice.
     */
    public static Optional<SliceGeometry> of(Node slice, int rank, ConstantValues constants) {
        long[] starts = slice.intsAttribute("starts").orElse(null);
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (starts != null) {
            ends = slice.intsAttribute("ends").orElse(null);
            axes = slice.intsAttribute("axes").orElse(null);
        } else {
            starts = constants.longs(slice.input(1)).orElse(null);
            ends = constants.longs(slice.input(2)).orElse(null);
            axes = optional(constants, slice.input(3));
            steps = optional(constants, slice.input(4));
            if (axes == null && !slice.input(3).isEmpty() || steps == null && !slice.input(4).isEmpty()) {
                return Optional.empty();
            }
        }
        if (starts == null || ends == null || ends.length != starts.length) {
            return Optional.empty();
        }
        if (axes == null) {
            axes = LongStream.range(0, starts.length).toArray();
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

    /** Whether the node names {@code axis} (it may still keep every position of it). */
    public boolean slices(int axis) {
        return byAxis[axis] != null;
    }

    /** The input positions (of an axis of {@code size}) that the output's positions of {@code axis} read, in order. */
    public int[] kept(int axis, int size) {
        long[] s = byAxis[axis];
        if (s == null) {
            return IntStream.range(0, size).toArray();
        }
        return indices(size, s[0], s[1], s[2]);
    }

    /** The input indices a slice selects on an axis of {@code dim}, per ONNX's clamping rules. */
    public static int[] indices(int dim, long start, long end, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("slice step 0");
        }
        if (start < 0) {
            start += dim;
        }
        if (end < 0) {
            end += dim;
        }
        if (step > 0) {
            start = Math.max(0, Math.min(dim, start));
            end = Math.max(0, Math.min(dim, end));
        } else {
            start = Math.max(0, Math.min(dim - 1, start));
            end = Math.max(-1, Math.min(dim - 1, end));
        }
        IntStream.Builder out = IntStream.builder();
        for (long i = start; step > 0 ? i < end : i > end; i += step) {
            out.add((int) i);
        }
        return out.build().toArray();
    }

    private static long[] optional(ConstantValues constants, String tensor) {
        return tensor.isEmpty() ? null : constants.longs(tensor).orElse(null);
    }
}
