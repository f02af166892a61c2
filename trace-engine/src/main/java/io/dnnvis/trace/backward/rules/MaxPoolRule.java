package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.BackwardRule;
import io.dnnvis.trace.backward.GraphEmitter;
import io.dnnvis.trace.backward.Pooling;
import io.dnnvis.trace.backward.RuleContext;
import java.util.Arrays;
import java.util.List;

/**
 * MaxPool (2-D), unpooled per the compilation's {@link Pooling}: {@code switch} sends each pooled
 * cell's signal to the forward maximum, the first one of equal values as MaxPool picks it (the exact
 * gradient; found in the graph from opset 11, read from MaxPool's Indices output before),
 * {@code center} to the window's centre clamped into the input, {@code spread} to every input
 * position the window covers. Cells covered by several windows sum what they receive.
 */
public final class MaxPoolRule implements BackwardRule {

    /**
     * From this opset on, switch unpooling finds the maxima itself ({@link #windowMaxima}) and the
     * forward MaxPool runs without its Indices output; before it (no Pad with a pads input, no Slice
     * steps) it reads the Indices output.
     */
    public static final long OWN_MAXIMA_OPSET = 11;

    /** Whether the compiled forward graph must expose this MaxPool's Indices output for {@code pooling}. */
    public static boolean needsIndices(Pooling pooling, long opset) {
        return pooling == Pooling.SWITCH && opset < OWN_MAXIMA_OPSET;
    }

    @Override
    public void backward(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        long[] y = ctx.shape(ctx.output(0));
        if (x.length != 4) {
            throw ctx.unsupported("only 2-D MaxPool is supported, got input rank " + x.length);
        }
        if (ctx.node().intAttribute("storage_order", 0) != 0) {
            throw ctx.unsupported("MaxPool with storage_order=1");
        }
        long[] kernel = ctx.node().intsAttribute("kernel_shape")
                .orElseThrow(() -> ctx.unsupported("MaxPool without kernel_shape"));
        Geometry g = Geometry.of(ctx, kernel, Arrays.copyOfRange(x, 2, 4), Arrays.copyOfRange(y, 2, 4));
        String signal = ctx.signal(0).orElseThrow();
        if (ctx.pooling() != Pooling.SWITCH) {
            ctx.send(0, separable(ctx, g, signal, x, y, ctx.pooling() == Pooling.CENTER));
        } else if (ctx.inputMasked(0) && !needsIndices(ctx.pooling(), ctx.opset())) {
            ctx.sendMasked(0, toMaxima(ctx, g, signal, x, y, true));
        } else {
            ctx.send(0, toMaxima(ctx, g, signal, x, y, false));
        }
    }

    /** Centre and spread unpooling act on rows and columns independently. */
    private static String separable(RuleContext ctx, Geometry g, String signal, long[] x, long[] y, boolean center) {
        String s = signal;
        for (int k = 0; k < 2; k++) {
            int in = (int) x[k + 2];
            int out = (int) y[k + 2];
            float[][] m = new float[out][in];
            for (int o = 0; o < out; o++) {
                long start = g.start(k, o);
                if (center) {
                    long c = Math.max(0, Math.min(in - 1, start + (g.kernel()[k] / 2) * g.dilations()[k]));
                    m[o][(int) c] = 1f;
                } else {
                    for (long t = 0; t < g.kernel()[k]; t++) {
                        long i = start + t * g.dilations()[k];
                        if (i >= 0 && i < in) {
                            m[o][(int) i] = 1f;
                        }
                    }
                }
            }
            s = AxisMaps.adjoint(ctx.emit(), s, 5, 3 + k, m);
        }
        return s;
    }

    /**
     * Switch unpooling: the position of each window's maximum inside the window, a one-hot over
     * window positions times the signal, put back by a ConvTranspose whose kernel holds one 1 per
     * window position, adds up what overlapping windows send.
     *
     * <p>Tried instead: ScatterElements of the signal to the maxima (opset 16's scatter-add, or
     * phases of non-overlapping windows before). As fast for one neuron on AlexNet conv5 (11.9 ms
     * against 12.1 ms a run), 12 % slower for 64 neurons at once (364 ms against 325 ms): ONNX
     * Runtime's scatter runs on one thread.
     *
     * <p>With {@code positiveOnly}, windows whose maximum is not positive send nothing: the rule of
     * the input's producer masks those positions anyway ({@link RuleContext#inputMasked}), and
     * leaves its mask out when nothing else arrives.
     */
    private static String toMaxima(RuleContext ctx, Geometry g, String signal, long[] x, long[] y,
            boolean positiveOnly) {
        GraphEmitter e = ctx.emit();
        long n = x[0];
        long c = x[1];
        long h = x[2];
        long w = x[3];
        long oh = y[2];
        long ow = y[3];
        long kh = g.kernel()[0];
        long kw = g.kernel()[1];
        int kk = (int) (kh * kw);
        String position = needsIndices(ctx.pooling(), ctx.opset())
                ? positionsFromIndices(ctx, g, x, y)
                : windowMaxima(ctx, g, x, y, positiveOnly);
        // window positions count from 1 after the sentinel of windowMaxima's positiveOnly
        long first = positiveOnly ? 1 : 0;
        long[] range = new long[kk];
        for (int k = 0; k < kk; k++) {
            range[k] = first + k;
        }
        // Equal + Cast: ONNX Runtime's OneHot takes about three times as long here
        String oneHot = e.toFloat(e.op("Equal", List.of(e.reshape(position, n, c, 1, oh, ow),
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
     * input, padded where windows reach out with the lowest float (finite: times the kernel's
     * zeros it stays 0). ArgMax takes the first of equal values, as ONNX Runtime's MaxPool and
     * PyTorch do; the forward MaxPool then runs without Indices, in ONNX Runtime's blocked layout.
     *
     * <p>With {@code positiveOnly} a zero sentinel comes first (a filter of zeros) and the positions
     * count from 1: a window whose values are all {@code <= 0} gets position 0, which is none of
     * the window's, and the first of equal positive maxima is still the one chosen.
     */
    private static String windowMaxima(RuleContext ctx, Geometry g, long[] x, long[] y, boolean positiveOnly) {
        GraphEmitter e = ctx.emit();
        long[] size = {x[2], x[3]};
        long[] out = {y[2], y[3]};
        long[] before = new long[2];
        long[] after = new long[2];
        for (int k = 0; k < 2; k++) {
            before[k] = Math.max(0, -g.start(k, 0));
            long reach = g.start(k, out[k] - 1) + (g.kernel()[k] - 1) * g.dilations()[k] + 1;
            after[k] = Math.max(0, reach - size[k]);
        }
        String planes = e.reshape(ctx.input(0), -1, 1, size[0], size[1]);
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

    /** The same positions from the flat indices of MaxPool's Indices output (older opsets). */
    private static String positionsFromIndices(RuleContext ctx, Geometry g, long[] x, long[] y) {
        if (ctx.node().outputs().size() < 2 || ctx.node().outputs().get(1).isEmpty()) {
            throw ctx.unsupported("switch unpooling needs MaxPool's Indices output");
        }
        GraphEmitter e = ctx.emit();
        // Indices count over the whole [N, C, H, W] tensor: minus the plane's start, a position in it
        long[] planeStarts = new long[(int) (x[0] * x[1])];
        for (int p = 0; p < planeStarts.length; p++) {
            planeStarts[p] = p * x[2] * x[3];
        }
        String local = e.sub(ctx.output(1), e.longTensor(new long[] {x[0], x[1], 1, 1}, planeStarts));
        String width = e.longs(x[3]);
        String row = e.div(local, width);
        String col = e.sub(local, e.mul(row, width));
        String dy = e.sub(row, e.longTensor(new long[] {y[2], 1}, windowStarts(g, 0, y[2])));
        String dx = e.sub(col, e.longTensor(new long[] {y[3]}, windowStarts(g, 1, y[3])));
        if (g.dilations()[0] != 1) {
            dy = e.div(dy, e.longs(g.dilations()[0]));
        }
        if (g.dilations()[1] != 1) {
            dx = e.div(dx, e.longs(g.dilations()[1]));
        }
        return e.add(e.mul(dy, e.longs(g.kernel()[1])), dx);
    }

    /** The first input position of each of the {@code count} windows along {@code axis}. */
    private static long[] windowStarts(Geometry g, int axis, long count) {
        long[] starts = new long[(int) count];
        for (int o = 0; o < count; o++) {
            starts[o] = g.start(axis, o);
        }
        return starts;
    }
}
