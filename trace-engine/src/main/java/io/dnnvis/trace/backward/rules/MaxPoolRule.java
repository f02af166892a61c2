package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static io.dnnvis.onnx.build.OnnxProtos.stringAttr;

import io.dnnvis.trace.backward.BackwardRule;
import io.dnnvis.trace.backward.GraphEmitter;
import io.dnnvis.trace.backward.Pooling;
import io.dnnvis.trace.backward.RuleContext;
import java.util.Arrays;
import java.util.List;

/**
 * MaxPool (2-D), unpooled per the compilation's {@link Pooling}: {@code switch} sends each pooled
 * cell's signal to the forward maximum (read from MaxPool's Indices output; the exact gradient),
 * {@code center} to the window's centre clamped into the input, {@code spread} to every input
 * position the window covers. Cells covered by several windows sum what they receive.
 */
public final class MaxPoolRule implements BackwardRule {

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
        String back = switch (ctx.pooling()) {
            case SWITCH -> {
                if (ctx.node().outputs().size() < 2) {
                    throw ctx.unsupported("switch unpooling needs MaxPool's Indices output");
                }
                String scattered = scatterToMaxima(ctx, g, signal, x, y);
                yield scattered != null ? scattered : toMaxima(ctx, g, signal, x, y);
            }
            case CENTER, SPREAD -> separable(ctx, g, signal, x, y, ctx.pooling() == Pooling.CENTER);
        };
        ctx.send(0, back);
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
     * Switch unpooling by scattering: each pooled cell's signal goes to the position of its maximum
     * (MaxPool's Indices, made local to each image plane) with ScatterElements. With opset 16 one
     * scatter adds what overlapping windows send; before, the windows are split into {@code m × m}
     * phases of windows {@code m} apart, which do not overlap, one plain scatter each, summed.
     * Returns null where that would take more than {@link #MAX_PHASES} phases (then the one-hot
     * form below is used).
     */
    private static String scatterToMaxima(RuleContext ctx, Geometry g, String signal, long[] x, long[] y) {
        long[] phases = new long[2];
        for (int k = 0; k < 2; k++) {
            long extent = (g.kernel()[k] - 1) * g.dilations()[k] + 1;
            phases[k] = (extent + g.strides()[k] - 1) / g.strides()[k];
        }
        boolean reduce = ctx.opset() >= 16;
        if (ctx.opset() < 11 || (!reduce && phases[0] * phases[1] > MAX_PHASES)) {
            return null;
        }
        GraphEmitter e = ctx.emit();
        long planes = x[0] * x[1];
        long h = x[2];
        long w = x[3];
        long[] offsets = new long[(int) planes];
        for (int p = 0; p < planes; p++) {
            offsets[p] = p * h * w;
        }
        String local = e.sub(ctx.output(1), e.longTensor(new long[] {x[0], x[1], 1, 1}, offsets));
        String indices = e.op("Expand", List.of(local, e.op("Shape", List.of(signal))));
        String rows = e.reshape(signal, -1, y[2], y[3]);
        String rowIndices = e.reshape(indices, -1, y[2], y[3]);
        String zeros = e.zerosLikeBatch(rows, new long[] {h * w});
        List<String> parts = new java.util.ArrayList<>();
        long mh = reduce ? 1 : phases[0];
        long mw = reduce ? 1 : phases[1];
        for (long a = 0; a < mh; a++) {
            for (long b = 0; b < mw; b++) {
                String part = rows;
                String at = rowIndices;
                if (mh * mw > 1) {
                    List<String> bounds = List.of(e.longs(a, b), e.longs(Long.MAX_VALUE, Long.MAX_VALUE), e.longs(1, 2),
                            e.longs(mh, mw));
                    part = e.op("Slice", concatFirst(part, bounds));
                    at = e.op("Slice", concatFirst(at, bounds));
                }
                String flatSignal = e.op("Flatten", List.of(part), intAttr("axis", 1));
                String flatIndices = e.op("Flatten", List.of(at), intAttr("axis", 1));
                parts.add(reduce
                        ? e.op("ScatterElements", List.of(zeros, flatIndices, flatSignal), intAttr("axis", 1),
                                stringAttr("reduction", "add"))
                        : e.op("ScatterElements", List.of(zeros, flatIndices, flatSignal), intAttr("axis", 1)));
            }
        }
        return e.reshape(e.sum(parts), -1, x[0], x[1], h, w);
    }

    /** Without opset 16's scatter-add, windows overlapping in more phases than this use the one-hot form. */
    private static final long MAX_PHASES = 4;

    private static List<String> concatFirst(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /**
     * Switch unpooling: the flat forward index of each maximum gives its position inside the
     * window; a one-hot over window positions times the signal, put back by a ConvTranspose whose
     * kernel holds one 1 per window position, adds up what overlapping windows send.
     */
    private static String toMaxima(RuleContext ctx, Geometry g, String signal, long[] x, long[] y) {
        if (ctx.node().outputs().size() < 2) {
            throw ctx.unsupported("switch unpooling needs MaxPool's Indices output");
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
        String indices = ctx.output(1);
        String plane = e.longs(h * w);
        String local = e.sub(indices, e.mul(e.div(indices, plane), plane));
        String width = e.longs(w);
        String row = e.div(local, width);
        String col = e.sub(local, e.mul(row, width));
        long[] rowStarts = new long[(int) oh];
        for (int o = 0; o < oh; o++) {
            rowStarts[o] = g.start(0, o);
        }
        long[] colStarts = new long[(int) ow];
        for (int o = 0; o < ow; o++) {
            colStarts[o] = g.start(1, o);
        }
        String dy = e.sub(row, e.longTensor(new long[] {oh, 1}, rowStarts));
        String dx = e.sub(col, e.longTensor(new long[] {ow}, colStarts));
        if (g.dilations()[0] != 1) {
            dy = e.div(dy, e.longs(g.dilations()[0]));
        }
        if (g.dilations()[1] != 1) {
            dx = e.div(dx, e.longs(g.dilations()[1]));
        }
        String position = e.add(e.mul(dy, e.longs(kw)), dx);
        long[] range = new long[kk];
        for (int k = 0; k < kk; k++) {
            range[k] = k;
        }
        String oneHot = e.toFloat(e.op("Equal", List.of(e.reshape(position, n, c, 1, oh, ow),
                e.longTensor(new long[] {kk, 1, 1}, range))));
        String spread = e.mul(e.reshape(signal, -1, n, c, 1, oh, ow), oneHot);
        float[] placement = new float[kk * kk];
        for (int k = 0; k < kk; k++) {
            placement[k * kk + k] = 1f;
        }
        String kernel = e.constant(new long[] {kk, 1, kh, kw}, placement);
        long[][] pads = g.transposedPads(new long[] {h, w}, new long[] {oh, ow});
        String placed = e.op("ConvTranspose", List.of(e.reshape(spread, -1, kk, oh, ow), kernel),
                intsAttr("strides", g.strides()), intsAttr("dilations", g.dilations()), intsAttr("pads", pads[0]),
                intsAttr("output_padding", pads[1]), intsAttr("kernel_shape", kh, kw));
        return e.reshape(placed, -1, n, c, h, w);
    }

}
