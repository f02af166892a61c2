package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.graph.Geometry;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import java.util.List;

/**
 * The pieces of switch unpooling (2-D MaxPool): where each window's maximum is, and the exact
 * one-hot form that puts each pooled cell's signal there. {@link MaxPoolRule} emits them; rewrite
 * passes reuse them for their own forms.
 */
public final class SwitchUnpooling {

    private SwitchUnpooling() {
    }

    /**
     * Switch unpooling as a one-hot over window positions times the signal, put back by a
     * ConvTranspose whose kernel holds one 1 per window position.
     *
     * @param positions each window's chosen position, {@code [N, C, OH, OW]} int64, counting from
     *     {@code first} (1 after {@link #windowMaxima}'s sentinel, else 0)
     */
    public static String oneHot(GraphEmitter e, Geometry g, String signal, String positions, long[] x, long[] y,
            long first) {
        long n = x[0];
        long c = x[1];
        long h = x[2];
        long w = x[3];
        long oh = y[2];
        long ow = y[3];
        long kh = g.kernel()[0];
        long kw = g.kernel()[1];
        int kk = (int) (kh * kw);
        long[] range = new long[kk];
        for (int k = 0; k < kk; k++) {
            range[k] = first + k;
        }
        // Equal + Cast: ONNX Runtime's OneHot takes about three times as long here
        String oneHot = e.toFloat(e.op("Equal", List.of(e.reshape(positions, n, c, 1, oh, ow),
                e.longTensor(new long[] {kk, 1, 1}, range))));
        String spread = e.mul(e.reshape(signal, -1, n, c, 1, oh, ow), oneHot);
        String kernel = e.constant(new long[] {kk, 1, kh, kw}, Geometry.oneHotFilters(kk, false));
        long[][] pads = g.transposedPads(new long[] {h, w}, new long[] {oh, ow});
        String placed = e.op("ConvTranspose", List.of(e.reshape(spread, -1, kk, oh, ow), kernel),
                intsAttr("strides", g.strides()), intsAttr("dilations", g.dilations()), intsAttr("pads", pads[0]),
                intsAttr("output_padding", pads[1]), intsAttr("kernel_shape", kh, kw));
        return e.reshape(placed, -1, n, c, h, w);
    }

    /**
     * The position (row-major, {@code [N, C, OH, OW]}) of each window's first maximum: ArgMax over
     * the window's values, which a Conv with one 1 per window position gathers (im2col) from the
     * input (infinities clipped to the largest finite floats first), padded where windows reach out
     * with the lowest float (finite: times the kernel's zeros it stays 0). ArgMax takes the first of equal values, as ONNX Runtime's MaxPool and
     * PyTorch do; the forward MaxPool then runs without Indices, in ONNX Runtime's blocked layout.
     *
     * <p>With {@code positiveOnly} a zero sentinel comes first (a filter of zeros) and the positions
     * count from 1: a window whose values are all {@code <= 0} gets position 0, which is none of
     * the window's, and the first of equal positive maxima is still the one chosen.
     */
    public static String windowMaxima(GraphEmitter e, String input, Geometry g, long[] x, long[] y,
            boolean positiveOnly) {
        long[] size = {x[2], x[3]};
        long[] out = {y[2], y[3]};
        long[][] frame = paddedFrame(g, x, y);
        long[] before = frame[0];
        long[] after = frame[1];
        // infinite values (a Pad of -inf before the pool, as exporters write max-pool padding) would give
        // NaN times the filters' zeros: the finite extremes keep their order and every window's first maximum
        String planes = e.op("Clip", List.of(e.reshape(input, -1, 1, size[0], size[1]), e.scalar(-Float.MAX_VALUE),
                e.scalar(Float.MAX_VALUE)));
        if (before[0] + before[1] + after[0] + after[1] > 0) {
            planes = e.op("Pad", List.of(planes, e.longs(0, 0, before[0], before[1], 0, 0, after[0], after[1]),
                    e.scalar(-Float.MAX_VALUE)));
        }
        long kh = g.kernel()[0];
        long kw = g.kernel()[1];
        int kk = (int) (kh * kw);
        long[] skip = {g.start(0, 0) + before[0], g.start(1, 0) + before[1]};
        if (skip[0] + skip[1] > 0) {
            planes = e.op("Slice", List.of(planes, e.longs(skip[0], skip[1]), e.longs(Long.MAX_VALUE, Long.MAX_VALUE),
                    e.longs(2, 3)));
        }
        float[] oneHot = Geometry.oneHotFilters(kk, false);
        int sentinels = positiveOnly ? 1 : 0;
        float[] filterValues = new float[(kk + sentinels) * kk];
        System.arraycopy(oneHot, 0, filterValues, sentinels * kk, oneHot.length);
        String filters = e.constant(new long[] {kk + sentinels, 1, kh, kw}, filterValues);
        String windows = e.op("Conv", List.of(planes, filters),
                intsAttr("kernel_shape", kh, kw), intsAttr("strides", g.strides()),
                intsAttr("dilations", g.dilations()));
        for (int k = 0; k < 2; k++) {
            long length = size[k] + before[k] + after[k] - skip[k];
            if ((length - (g.kernel()[k] - 1) * g.dilations()[k] - 1) / g.strides()[k] + 1 != out[k]) {
                windows = e.op("Slice", List.of(windows, e.longs(0), e.longs(out[k]), e.longs(2 + k)));
            }
        }
        return e.op("ArgMax", List.of(e.reshape(windows, x[0], x[1], kk + sentinels, out[0], out[1])),
                intAttr("axis", 2),
                intAttr("keepdims", 0));
    }

    /**
     * The padding around the input that every window position falls into: {@code [before, after]},
     * rows then columns (windows may start before the input, and with ceil_mode reach past it).
     */
    public static long[][] paddedFrame(Geometry g, long[] x, long[] y) {
        long[] before = new long[2];
        long[] after = new long[2];
        for (int k = 0; k < 2; k++) {
            before[k] = Math.max(0, -g.start(k, 0));
            long reach = g.start(k, y[k + 2] - 1) + (g.kernel()[k] - 1) * g.dilations()[k] + 1;
            after[k] = Math.max(0, reach - x[k + 2]);
        }
        return new long[][] {before, after};
    }

}
