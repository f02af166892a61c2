package io.dnnvis.onnx.geometry;

import io.dnnvis.onnx.ConstantValues;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Tensor;
import java.util.Optional;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * What a Pad node does to each axis of its data input: the positions added before and after
 * (negative ones crop), the mode, and the constant of mode {@code constant}. The pads come from the
 * attribute (opset 2 to 10) or a constant input, with its axes (opset 18); pads computed from the
 * image have no geometry. The one reading of Pad's attributes and inputs, for the backward rule and
 * for the geometry of receptive fields and occluded regions.
 *
 * @param mode constant, edge, reflect or wrap
 * @param begin per axis of the data, the positions added before it
 * @param end per axis, the positions added after it
 * @param value the constant of mode {@code constant}, where {@code valueKnown}
 * @param valueKnown false where the constant is an input computed from the image: the positions each
 *     output reads are known all the same (what the backward rule and the geometry need), the value is not
 */
public record PadGeometry(String mode, long[] begin, long[] end, float value, boolean valueKnown) {

    /** The modes of Pad (opset 19 added wrap). */
    public static final Set<String> MODES = Set.of("constant", "edge", "reflect", "wrap");

    public PadGeometry {
        begin = begin.clone();
        end = end.clone();
    }

    @Override
    public long[] begin() {
        return begin.clone();
    }

    @Override
    public long[] end() {
        return end.clone();
    }

    /** The node's mode attribute ({@code constant} when absent), whether or not it is one of {@link #MODES}. */
    public static String mode(Node pad) {
        return pad.attribute("mode").map(a -> a.asString()).orElse("constant");
    }

    /**
     * The geometry of {@code pad}, whose data input has {@code rank} axes; empty where its mode is
     * unknown, its pads or axes are not known constants, or they do not fit the rank (a constant that
     * is not known gives {@code valueKnown} false).
     */
    public static Optional<PadGeometry> of(Node pad, int rank, ConstantValues constants) {
        String mode = mode(pad);
        if (!MODES.contains(mode)) {
            return Optional.empty();
        }
        long[] pads = pad.intsAttribute("pads").orElse(null);
        long[] axes = null;
        float value = pad.attribute("value").map(a -> a.asFloat()).orElse(0f);
        boolean valueKnown = true;
        if (pads == null) {
            pads = constants.longs(pad.input(1)).orElse(null);
            if (!pad.input(3).isEmpty()) {
                axes = constants.longs(pad.input(3)).orElse(null);
                if (axes == null) {
                    return Optional.empty();
                }
            }
            if (!pad.input(2).isEmpty()) {
                float[] v = constants.tensor(pad.input(2)).filter(t -> t.type().isFloatingPoint())
                        .map(Tensor::toFloatArray).orElse(null);
                valueKnown = v != null && v.length == 1;
                value = valueKnown ? v[0] : Float.NaN;
            }
        }
        if (axes == null) {
            axes = LongStream.range(0, rank).toArray();
        }
        if (pads == null || pads.length != 2 * axes.length) {
            return Optional.empty();
        }
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int k = 0; k < axes.length; k++) {
            int axis = (int) (axes[k] < 0 ? axes[k] + rank : axes[k]);
            if (axis < 0 || axis >= rank) {
                return Optional.empty();
            }
            begin[axis] = pads[k];
            end[axis] = pads[axes.length + k];
        }
        return Optional.of(new PadGeometry(mode, begin, end, value, valueKnown));
    }

    /** Whether {@code axis} is padded or cropped at all. */
    public boolean changes(int axis) {
        return begin[axis] != 0 || end[axis] != 0;
    }

    /**
     * The position of {@code axis} (size {@code n} in the input) that output position {@code o} reads;
     * -1: the constant.
     */
    public int source(int axis, long o, int n) {
        return source(mode, o - begin[axis], n);
    }

    /** Whether the pads only add positions, on {@code rowAxis} and {@code colAxis} alone. */
    public boolean addsOnlyTo(int rowAxis, int colAxis) {
        for (int a = 0; a < begin.length; a++) {
            boolean spatial = a == rowAxis || a == colAxis;
            if (begin[a] < 0 || end[a] < 0 || (!spatial && changes(a))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The input position that position {@code i} of a padded axis (counted from the input's first,
     * so negative in the front pad) reads, for an input axis of {@code n}; -1 for the constant.
     *
     * @throws IllegalArgumentException for a mode not in {@link #MODES}
     */
    public static int source(String mode, long i, int n) {
        return switch (mode) {
            case "constant" -> i >= 0 && i < n ? (int) i : -1;
            case "edge" -> (int) Math.max(0, Math.min(n - 1, i));
            case "wrap" -> (int) Math.floorMod(i, n);
            case "reflect" -> {
                if (n == 1) {
                    yield 0;
                }
                long period = 2L * (n - 1);
                long r = Math.floorMod(i, period);
                yield (int) (r < n ? r : period - r);
            }
            default -> throw new IllegalArgumentException("unknown Pad mode '" + mode + "'");
        };
    }
}
