package io.dnnvis.trace.backward.graph;

import io.dnnvis.onnx.Node;
import java.util.Arrays;

/**
 * Sliding-window geometry of Conv / pooling nodes (kernel, strides, dilations, explicit pads
 * after resolving {@code auto_pad}) from their attributes and the static shapes.
 */
public record Geometry(long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd) {

    public int rank() {
        return kernel.length;
    }

    /**
     * @param kernel spatial kernel size (from kernel_shape or the weight's dims)
     * @param in spatial input size
     * @param out spatial output size
     */
    public static Geometry of(RuleContext ctx, long[] kernel, long[] in, long[] out) {
        Node n = ctx.node();
        int r = kernel.length;
        long[] strides = n.intsAttribute("strides").orElse(ones(r));
        long[] dilations = n.intsAttribute("dilations").orElse(ones(r));
        long[] pads = n.intsAttribute("pads").orElse(new long[2 * r]);
        if (strides.length != r || dilations.length != r || pads.length != 2 * r) {
            throw ctx.unsupported("strides/dilations/pads do not match the kernel rank " + r);
        }
        for (int k = 0; k < r; k++) {
            if (strides[k] <= 0 || dilations[k] <= 0 || kernel[k] <= 0) {
                throw ctx.unsupported("kernel, strides and dilations must be positive");
            }
        }
        String autoPad = n.attribute("auto_pad").map(a -> a.asString()).orElse("NOTSET");
        long[] begin = Arrays.copyOfRange(pads, 0, r);
        long[] end = Arrays.copyOfRange(pads, r, 2 * r);
        switch (autoPad) {
            case "NOTSET", "" -> { }
            case "VALID" -> {
                begin = new long[r];
                end = new long[r];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int k = 0; k < r; k++) {
                    long total = Math.max(0, (out[k] - 1) * strides[k] + (kernel[k] - 1) * dilations[k] + 1 - in[k]);
                    long small = total / 2;
                    begin[k] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    end[k] = total - begin[k];
                }
            }
            default -> throw ctx.unsupported("unknown auto_pad '" + autoPad + "'");
        }
        return new Geometry(kernel, strides, dilations, begin, end);
    }

    /** The first input row of output window {@code o} along axis {@code k} (may be negative: padding). */
    public long start(int k, long o) {
        return o * strides[k] - padBegin[k];
    }

    /**
     * Pads (begin ++ end) and output_padding for a ConvTranspose that maps the window outputs of
     * size {@code out} back onto exactly {@code in} positions.
     */
    public long[][] transposedPads(long[] in, long[] out) {
        int r = rank();
        long[] pads = new long[2 * r];
        long[] outputPadding = new long[r];
        for (int k = 0; k < r; k++) {
            long size = strides[k] * (out[k] - 1) + (kernel[k] - 1) * dilations[k] + 1 - padBegin[k] - padEnd[k];
            pads[k] = padBegin[k];
            pads[r + k] = padEnd[k];
            if (size < in[k]) {
                outputPadding[k] = in[k] - size;
            } else if (size > in[k]) {
                pads[r + k] += size - in[k];
            }
        }
        return new long[][] {pads, outputPadding};
    }

    /**
     * Pads of the convolution that equals this one's transpose: {@code d(k-1) - pad} at each end;
     * null when a stride is not 1 or a pad exceeds {@code d(k-1)} (then only a ConvTranspose is it).
     */
    public long[] transposeAsConvPads() {
        int r = rank();
        long[] pads = new long[2 * r];
        for (int k = 0; k < r; k++) {
            long reach = dilations[k] * (kernel[k] - 1);
            pads[k] = reach - padBegin[k];
            pads[r + k] = reach - padEnd[k];
            if (strides[k] != 1 || pads[k] < 0 || pads[r + k] < 0) {
                return null;
            }
        }
        return pads;
    }

    /**
     * {@code taps} filters over one input channel, filter {@code t} holding a single 1 at tap
     * {@code t} (or, {@code mirrored}, at tap {@code taps - 1 - t}): a Conv with them copies the
     * value under each tap of every window into a channel of its own (im2col).
     */
    public static float[] oneHotFilters(int taps, boolean mirrored) {
        float[] filters = new float[taps * taps];
        for (int t = 0; t < taps; t++) {
            filters[t * taps + (mirrored ? taps - 1 - t : t)] = 1f;
        }
        return filters;
    }

    public static long[] ones(int r) {
        long[] a = new long[r];
        Arrays.fill(a, 1);
        return a;
    }
}
