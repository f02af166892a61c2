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
     * Switch unpooling: each pooled cell's signal goes to the position of its window's maximum.
     *
     * <p>From opset 11, by {@link #scatterToMaxima} (MaxUnpool) when windows do not overlap, and
     * when they overlap at most one neighbour per axis (a 3×3 window with stride 2 does) in a graph
     * for one signal: MaxUnpool then writes each signal at its maximum in one of up to four planes,
     * so that overlapping windows never write the same place, and a ReduceSum adds the planes.
     * Otherwise: a one-hot over window positions times the signal, put back by a ConvTranspose
     * whose kernel holds one 1 per window position.
     *
     * <p>Tried instead: ScatterElements of the signal to the maxima (opset 16's scatter-add, or
     * phases of non-overlapping windows before). As fast for one neuron on AlexNet conv5 (11.9 ms
     * against 12.1 ms a run), 12 % slower for 64 neurons at once (364 ms against 325 ms): ONNX
     * Runtime's scatter runs on one thread, with index arithmetic per element.
     *
     * <p>With {@code positiveOnly}, windows whose maximum is not positive send nothing: the rule of
     * the input's producer masks those positions anyway ({@link RuleContext#inputMasked}), and
     * leaves its mask out when nothing else arrives.
     */
    private static String toMaxima(RuleContext ctx, Geometry g, String signal, long[] x, long[] y,
            boolean positiveOnly) {
        boolean fromIndices = needsIndices(ctx.pooling(), ctx.opset());
        long planes = planesAlong(g, 0) * planesAlong(g, 1);
        if (!fromIndices && (planes == 1 || planes <= MAX_PLANES && ctx.oneSignal())) {
            return scatterToMaxima(ctx, g, signal, windowMaxima(ctx, g, x, y, positiveOnly), x, y, positiveOnly);
        }
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
        String position = fromIndices ? positionsFromIndices(ctx, g, x, y) : windowMaxima(ctx, g, x, y, positiveOnly);
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
     * Most planes {@link #scatterToMaxima} writes into: four, for windows that overlap their next
     * neighbour on both axes. Windows reaching further (a 3×3 window with stride 1 needs nine) take
     * the ConvTranspose form, which writes no more than its one-hot of window positions. With
     * several planes the scatter pays for one signal only: for 64 AlexNet neurons the four planes of
     * every signal (143 MB at conv2) made the run no faster and its peak RSS 170 MB larger.
     */
    private static final long MAX_PLANES = 4;

    /**
     * Along axis {@code k}, how many planes keep windows apart: windows {@code m} apart never share
     * an input position once {@code m} strides reach past the window's extent.
     */
    private static long planesAlong(Geometry g, int k) {
        long extent = (g.kernel()[k] - 1) * g.dilations()[k] + 1;
        return (extent + g.strides()[k] - 1) / g.strides()[k];
    }

    /**
     * Switch unpooling as a scatter. Window {@code (i, j)} writes its signal, by MaxUnpool, at its
     * maximum in plane {@code (i mod py, j mod px)} of {@link #planesAlong}: windows of one plane
     * do not overlap, so no two signals land on one place, and a ReduceSum over the planes adds
     * what overlapping windows send to one position. The planes hold the input padded as
     * {@link #windowMaxima} pads it (every window position has a place), and the padding is cut
     * off at the end.
     *
     * <p>Against the one-hot and ConvTranspose form, which runs a small GEMM and a col2im on one
     * thread for every plane of every signal where MaxUnpool makes one store per pooled cell: the
     * poolings of AlexNet conv5 (3×3 windows, stride 2, four planes) for one neuron 0.43 against
     * 0.60 ms and 0.30 against 0.44 ms alone, the whole graph 3 % faster (8.05, 9.01, 8.33 against
     * 8.32, 9.34, 8.61 ms); VGG-16 conv5_3 (2×2 windows, one plane) for 16 neurons 1 667 against
     * 1 757 ms.
     */
    private static String scatterToMaxima(RuleContext ctx, Geometry g, String signal, String position, long[] x,
            long[] y, boolean positiveOnly) {
        GraphEmitter e = ctx.emit();
        long n = x[0];
        long c = x[1];
        long oh = y[2];
        long ow = y[3];
        long[][] frame = paddedFrame(g, x, y);
        long ph = frame[0][0] + x[2] + frame[1][0];
        long pw = frame[0][1] + x[3] + frame[1][1];
        long plane = ph * pw;
        long py = planesAlong(g, 0);
        long px = planesAlong(g, 1);
        long planes = py * px;
        long kw = g.kernel()[1];
        int kk = (int) (g.kernel()[0] * kw);
        // windowMaxima's positions, with its sentinel first when positiveOnly (a zero signal, kept in the window)
        int first = positiveOnly ? 1 : 0;
        long[] tapOffsets = new long[kk + first];
        for (int t = 0; t < kk; t++) {
            tapOffsets[first + t] = (t / kw) * g.dilations()[0] * pw + (t % kw) * g.dilations()[1];
        }
        long[] windowStarts = new long[Math.toIntExact(oh * ow)];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                long top = g.start(0, i) + frame[0][0];
                long left = g.start(1, j) + frame[0][1];
                windowStarts[(int) (i * ow + j)] = ((i % py) * px + j % px) * plane + top * pw + left;
            }
        }
        long[] channelStarts = new long[Math.toIntExact(n * c)];
        for (int p = 0; p < channelStarts.length; p++) {
            channelStarts[p] = p * planes * plane;
        }
        String local = e.add(e.add(
                e.op("Gather", List.of(e.longTensor(new long[] {tapOffsets.length}, tapOffsets), position),
                        intAttr("axis", 0)),
                e.longTensor(new long[] {oh, ow}, windowStarts)), e.longTensor(new long[] {n, c, 1, 1}, channelStarts));
        String values = e.reshape(signal, -1, n, c, oh, ow);
        String zero = e.longTensor(new long[0], new long[] {0});
        if (positiveOnly) {
            values = e.mul(values, e.toFloat(e.op("Greater", List.of(position, zero))));
        }
        // MaxUnpool's indices count over its whole output: signal b's planes start at b * n * c * planes * plane
        String signals = e.op("Gather", List.of(e.op("Shape", List.of(values)), zero), intAttr("axis", 0));
        String signalStarts = e.mul(e.op("Range", List.of(zero, signals, e.longTensor(new long[0], new long[] {1}))),
                e.longs(n * c * planes * plane));
        String indices = e.reshape(e.add(e.reshape(signalStarts, -1, 1, 1, 1, 1), local), -1, c, oh, ow);
        String flat = e.reshape(values, -1, c, oh, ow);
        String outputShape = e.concat(0, List.of(e.slice(e.op("Shape", List.of(flat)), 0, 0, 1),
                e.longs(c, planes * ph, pw)));
        String unpooled = e.op("MaxUnpool", List.of(flat, indices, outputShape),
                intsAttr("kernel_shape", g.kernel()), intsAttr("strides", g.strides()));
        String summed = planes == 1 ? unpooled : e.reduceSum(e.reshape(unpooled, -1, c, planes, plane), 2);
        String canvas = e.reshape(summed, -1, n, c, ph, pw);
        if (ph != x[2]) {
            canvas = e.slice(canvas, 3, frame[0][0], frame[0][0] + x[2]);
        }
        if (pw != x[3]) {
            canvas = e.slice(canvas, 4, frame[0][1], frame[0][1] + x[3]);
        }
        return canvas;
    }

    /**
     * The padding around the input that every window position falls into: {@code [before, after]},
     * rows then columns (windows may start before the input, and with ceil_mode reach past it).
     */
    private static long[][] paddedFrame(Geometry g, long[] x, long[] y) {
        long[] before = new long[2];
        long[] after = new long[2];
        for (int k = 0; k < 2; k++) {
            before[k] = Math.max(0, -g.start(k, 0));
            long reach = g.start(k, y[k + 2] - 1) + (g.kernel()[k] - 1) * g.dilations()[k] + 1;
            after[k] = Math.max(0, reach - x[k + 2]);
        }
        return new long[][] {before, after};
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
        long[][] frame = paddedFrame(g, x, y);
        long[] before = frame[0];
        long[] after = frame[1];
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
