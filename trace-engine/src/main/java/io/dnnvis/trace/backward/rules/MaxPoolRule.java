package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.Geometry;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import io.dnnvis.trace.backward.graph.Site;
import java.util.Arrays;

/**
 * MaxPool (2-D), unpooled per its {@link Pooling}: {@code switch} sends each pooled cell's signal
 * to the forward maximum, the first one of equal values as MaxPool picks it (the exact gradient;
 * found in the graph from opset 11, read from MaxPool's Indices output before), {@code center} to
 * the window's centre clamped into the input, {@code spread} to every input position the window
 * covers. Cells covered by several windows sum what they receive. Switch unpooling is noted as a
 * {@link Site.SwitchUnpooling}.
 */
public final class MaxPoolRule implements BackwardRule {

    public static final MaxPoolRule SWITCH = new MaxPoolRule(Pooling.SWITCH);
    public static final MaxPoolRule CENTER = new MaxPoolRule(Pooling.CENTER);
    public static final MaxPoolRule SPREAD = new MaxPoolRule(Pooling.SPREAD);

    /**
     * From this opset on, switch unpooling finds the maxima itself ({@link SwitchUnpooling#windowMaxima});
     * before it (no Pad with a pads input, no Slice steps) it reads MaxPool's Indices output.
     */
    public static final long OWN_MAXIMA_OPSET = 11;

    private final Pooling pooling;

    private MaxPoolRule(Pooling pooling) {
        this.pooling = pooling;
    }

    /** The rule for one unpooling variant. */
    public static MaxPoolRule of(Pooling pooling) {
        return switch (pooling) {
            case SWITCH -> SWITCH;
            case CENTER -> CENTER;
            case SPREAD -> SPREAD;
        };
    }

    public Pooling pooling() {
        return pooling;
    }

    @Override
    public void backward(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        long[] y = ctx.shape(ctx.output(0));
        if (x.length != 4) {
            throw ctx.unsupported("only 2-D MaxPool is supported, got input rank " + x.length);
        }
        long[] kernel = ctx.node().intsAttribute("kernel_shape")
                .orElseThrow(() -> ctx.unsupported("MaxPool without kernel_shape"));
        Geometry g = Geometry.of(ctx, kernel, Arrays.copyOfRange(x, 2, 4), Arrays.copyOfRange(y, 2, 4));
        String signal = ctx.signal(0).orElseThrow();
        if (pooling != Pooling.SWITCH) {
            ctx.send(0, separable(ctx, g, signal, x, y, pooling == Pooling.CENTER));
            return;
        }
        GraphEmitter e = ctx.emit();
        String positions = ctx.opset() >= OWN_MAXIMA_OPSET
                ? SwitchUnpooling.windowMaxima(e, ctx.input(0), g, x, y, false)
                : positionsFromIndices(ctx, g, x, y);
        String sent = SwitchUnpooling.oneHot(e, g, signal, positions, x, y, 0);
        ctx.note(new Site.SwitchUnpooling(sent, signal, ctx.input(0), g, x, y, false));
        ctx.send(0, sent);
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
     * The same positions from the flat indices of MaxPool's Indices output (older opsets), row-major
     * or, with {@code storage_order} 1, column-major within each plane.
     */
    private static String positionsFromIndices(RuleContext ctx, Geometry g, long[] x, long[] y) {
        String indices = ctx.requireOutput(1);
        GraphEmitter e = ctx.emit();
        // Indices count over the whole [N, C, H, W] tensor: minus the plane's start, a position in it
        long[] planeStarts = new long[(int) (x[0] * x[1])];
        for (int p = 0; p < planeStarts.length; p++) {
            planeStarts[p] = p * x[2] * x[3];
        }
        String local = e.sub(indices, e.longTensor(new long[] {x[0], x[1], 1, 1}, planeStarts));
        String row;
        String col;
        if (ctx.node().intAttribute("storage_order", 0) == 0) {
            String width = e.longs(x[3]);
            row = e.div(local, width);
            col = e.sub(local, e.mul(row, width));
        } else { // column-major indices (storage_order 1): column * H + row; the maxima are the same
            String height = e.longs(x[2]);
            col = e.div(local, height);
            row = e.sub(local, e.mul(col, height));
        }
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

    @Override
    public String toString() {
        return "MaxPool[" + pooling.label() + "]";
    }
}
