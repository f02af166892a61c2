package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.Node;
import io.dnnvis.trace.backward.RuleContext;
import java.util.Arrays;

/**
 * Sliding-window geometry of Conv / pooling nodes (kernel, strides, dilations, explicit pads
 * after resolving {@code auto_pad}) from their attributes and the static shapes.
 */
record Geometry(long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd) {

    int rank() {
        return kernel.length;
    }

    /**
     * @param kernel spatial kernel size (from kernel_shape or the weight's dims)
     * @param in spatial input size
     * @param out spatial output size
     */
    static Geometry of(RuleContext ctx, long[] kernel, long[] in, long[] out) {
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
    long start(int k, long o) {
        return o * strides[k] - padBegin[k];
    }

    /**
     * Pads (begin ++ end) and output_padding for a ConvTranspose that maps the window outputs of
     * size {@code out} back onto exactly {@code in} positions.
     */
    long[][] transposedPads(long[] in, long[] out) {
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
     * {@code taps} filters over one input channel, filter {@code t} holding a single 1 at tap
     * {@code t} (or, {@code mirrored}, at tap {@code taps - 1 - t}): a Conv with them copies the
     * value under each tap of every window into a channel of its own (im2col).
     */
    static float[] oneHotFilters(int taps, boolean mirrored) {
        float[] filters = new float[taps * taps];
        for (int t = 0; t < taps; t++) {
            filters[t * taps + (mirrored ? taps - 1 - t : t)] = 1f;
        }
        return filters;
    }

    static long[] ones(int r) {
        long[] a = new long[r];
        Arrays.fill(a, 1);
        return a;
    }
}
