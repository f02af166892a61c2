package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.ChannelStartRule;
import io.dnnvis.trace.backward.GraphEmitter;
import io.dnnvis.trace.backward.PhaseLayout;
import io.dnnvis.trace.backward.RuleContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Conv: the signal goes back through the transposed convolution with the same weights, strides,
 * pads, dilations and groups, and no bias. Handles grouped and depthwise convolution, any spatial
 * rank, explicit and automatic padding.
 *
 * <p>With unit strides the transposed convolution is itself a convolution: the weights with input
 * and output channels swapped (per group) and the kernel flipped, padded by {@code d(k-1) - pad}.
 * That is what is emitted then: ONNX Runtime's Conv kernels (blocked layouts, fused reorders) run it
 * about twice as fast as its ConvTranspose. The weight rearrangement depends only on the weights,
 * so ONNX Runtime folds it into a constant when the session is built.
 *
 * <p>With an equal stride {@code s > 1} on both axes of a 2-D convolution (no dilation, one group)
 * and a kernel at least {@code s} wide, the transposed convolution splits into {@code s²} phases,
 * one per output position modulo {@code s}, each a unit-stride convolution with every {@code s}-th
 * kernel tap: one Conv with {@code s² × C} output channels computes them all, DepthToSpace
 * interleaves them and a Slice cuts the padding off. About the same arithmetic (taps past the
 * kernel are zeros), but again on the fast Conv kernels.
 *
 * <p>When the backward pass starts at this Conv's output from one channel {@code c} per start
 * signal (the usual neuron), only the weights {@code W[c]} take part: each tap of the kernel gives
 * one shifted copy of the signal (a Conv with one-hot kernels, the columns), and a batched MatMul
 * of the gathered {@code W[c] [I, taps]} with those columns is the transposed convolution, at
 * {@code 1/O} of the arithmetic. Unit strides, one group. The forward values of those channels,
 * which the start signals need, come from a Conv with the gathered weights, so the graph does not
 * compute the other channels of the target at all.
 */
public final class ConvRule implements ChannelStartRule {

    @Override
    public void backward(RuleContext ctx) {
        if (ctx.needsSignal(1) || ctx.needsSignal(2)) {
            throw ctx.unsupported("signal through the convolution weights or bias");
        }
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        long[] w = ctx.shape(ctx.input(1));
        long[] y = ctx.shape(ctx.output(0));
        int r = x.length - 2;
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        Geometry g = Geometry.of(ctx, kernel, Arrays.copyOfRange(x, 2, x.length), Arrays.copyOfRange(y, 2, y.length));
        long[][] pads = g.transposedPads(Arrays.copyOfRange(x, 2, x.length), Arrays.copyOfRange(y, 2, y.length));
        long[] merged = y.clone();
        merged[0] = -1;
        String flat = e.reshape(ctx.signal(0).orElseThrow(), merged);
        long group = ctx.node().intAttribute("group", 1);
        long[] flippedPads = flippedPads(g);
        if (flippedPads != null && ctx.opset() >= 10) {
            String back = e.op("Conv", List.of(flat, flippedWeights(e, ctx.input(1), w, group)),
                    intsAttr("dilations", g.dilations()), intsAttr("pads", flippedPads),
                    intsAttr("kernel_shape", kernel), intAttr("group", group));
            ctx.send(0, e.reshapeSignal(back, x));
            return;
        }
        if (polyphase(ctx, g, w, group)) {
            ctx.send(0, e.reshapeSignal(polyphaseBack(e, flat, ctx.input(1), g, w, x, y), x));
            return;
        }
        String back = e.op("ConvTranspose", List.of(flat, ctx.input(1)),
                intsAttr("strides", g.strides()), intsAttr("dilations", g.dilations()), intsAttr("pads", pads[0]),
                intsAttr("output_padding", pads[1]), intsAttr("kernel_shape", kernel),
                intAttr("group", ctx.node().intAttribute("group", 1)));
        ctx.send(0, e.reshapeSignal(back, x));
    }

    @Override
    public boolean startsFromChannel(RuleContext ctx) {
        if (ctx.needsSignal(1) || ctx.needsSignal(2) || ctx.node().intAttribute("group", 1) != 1) {
            return false;
        }
        long[] x = ctx.shape(ctx.input(0));
        return x.length >= 3 && flippedPads(geometry(ctx)) != null;
    }

    @Override
    public void backwardFromChannel(RuleContext ctx, String values, String channels) {
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        long[] w = ctx.shape(ctx.input(1));
        long[] y = ctx.shape(ctx.output(0));
        Geometry g = geometry(ctx);
        long[] kernel = g.kernel();
        int taps = Math.toIntExact(Arrays.stream(kernel).reduce(1, Math::multiplyExact));
        // column t holds the signal shifted by tap t: a Conv whose filter t is 1 at the flipped tap
        float[] oneHot = Geometry.oneHotFilters(taps, true);
        long[] kernelShape = new long[kernel.length + 2];
        kernelShape[0] = taps;
        kernelShape[1] = 1;
        System.arraycopy(kernel, 0, kernelShape, 2, kernel.length);
        long[] single = y.clone();
        single[0] = -1;
        single[1] = 1;
        String columns = e.op("Conv", List.of(e.reshape(values, single), e.constant(kernelShape, oneHot)),
                intsAttr("dilations", g.dilations()), intsAttr("pads", flippedPads(g)),
                intsAttr("kernel_shape", kernel));
        long positions = Arrays.stream(x, 2, x.length).reduce(1, Math::multiplyExact);
        String picked = e.op("Gather", List.of(e.reshape(ctx.input(1), w[0], w[1], taps), channels),
                intAttr("axis", 0));
        String back = e.matmul(e.reshape(picked, -1, 1, w[1], taps), e.reshape(columns, -1, x[0], taps, positions));
        ctx.send(0, e.reshapeSignal(back, x));
    }

    @Override
    public String forwardChannels(RuleContext ctx, String channels) {
        GraphEmitter e = ctx.emit();
        long[] y = ctx.shape(ctx.output(0));
        Geometry g = geometry(ctx);
        List<String> inputs = new ArrayList<>();
        inputs.add(ctx.input(0));
        inputs.add(e.op("Gather", List.of(ctx.input(1), channels), intAttr("axis", 0)));
        if (!ctx.input(2).isEmpty()) { // the bias
            inputs.add(e.op("Gather", List.of(ctx.input(2), channels), intAttr("axis", 0)));
        }
        int r = g.rank();
        long[] pads = new long[2 * r];
        System.arraycopy(g.padBegin(), 0, pads, 0, r);
        System.arraycopy(g.padEnd(), 0, pads, r, r);
        // [N, B, ...]: the selected output channels of every image
        String picked = e.op("Conv", inputs, intsAttr("kernel_shape", g.kernel()), intsAttr("strides", g.strides()),
                intsAttr("dilations", g.dilations()), intsAttr("pads", pads));
        return e.channelsFirst(picked, y);
    }

    private static Geometry geometry(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        long[] w = ctx.shape(ctx.input(1));
        long[] y = ctx.shape(ctx.output(0));
        return Geometry.of(ctx, Arrays.copyOfRange(w, 2, w.length), Arrays.copyOfRange(x, 2, x.length),
                Arrays.copyOfRange(y, 2, y.length));
    }

    /**
     * Pads of the convolution that equals this one's transpose: {@code d(k-1) - pad} at each end;
     * null when a stride is not 1 or a pad exceeds {@code d(k-1)} (then ConvTranspose it is).
     */
    static long[] flippedPads(Geometry g) {
        int r = g.rank();
        long[] pads = new long[2 * r];
        for (int k = 0; k < r; k++) {
            long reach = g.dilations()[k] * (g.kernel()[k] - 1);
            pads[k] = reach - g.padBegin()[k];
            pads[r + k] = reach - g.padEnd()[k];
            if (g.strides()[k] != 1 || pads[k] < 0 || pads[r + k] < 0) {
                return null;
            }
        }
        return pads;
    }

    /**
     * {@code W [O, I/g, k...]} as {@code W' [I, O/g, k...]} with {@code W'[i, o] = flip(W[o, i])}
     * inside each group.
     */
    static String flippedWeights(GraphEmitter e, String weights, long[] w, long group) {
        int r = w.length - 2;
        long out = w[0];
        long inPerGroup = w[1];
        long[] grouped = new long[r + 3];
        grouped[0] = group;
        grouped[1] = out / group;
        grouped[2] = inPerGroup;
        System.arraycopy(w, 2, grouped, 3, r);
        long[] perm = new long[r + 3];
        perm[0] = 0;
        perm[1] = 2;
        perm[2] = 1;
        for (int k = 0; k < r; k++) {
            perm[3 + k] = 3 + k;
        }
        long[] swapped = new long[r + 2];
        swapped[0] = group * inPerGroup;
        swapped[1] = out / group;
        System.arraycopy(w, 2, swapped, 2, r);
        String t = e.reshape(e.transpose(e.reshape(weights, grouped), perm), swapped);
        long[] starts = new long[r];
        long[] ends = new long[r];
        long[] axes = new long[r];
        long[] steps = new long[r];
        for (int k = 0; k < r; k++) {
            starts[k] = -1;
            ends[k] = Long.MIN_VALUE;
            axes[k] = 2 + k;
            steps[k] = -1;
        }
        return e.op("Slice", List.of(t, e.longs(starts), e.longs(ends), e.longs(axes), e.longs(steps)));
    }

    private static boolean polyphase(RuleContext ctx, Geometry g, long[] w, long group) {
        long s = g.strides()[0];
        // kernels smaller than the stride would make most phase taps zero (a 1x1 stride-2 kernel: 3/4)
        return g.rank() == 2 && group == 1 && ctx.opset() >= 11
                && g.strides()[1] == s && s > 1 && w[2] >= s && w[3] >= s
                && g.dilations()[0] == 1 && g.dilations()[1] == 1;
    }

    /**
     * The transposed stride-{@code s} convolution of {@code signal [N, O, Yh, Yw]} as phases:
     * phase {@code (rh, rw)} of the padded input position {@code p = i + pad} ({@code p = s q + r})
     * receives {@code sum_m signal[q - m] w[r + s m]}, a full convolution with the flipped taps
     * {@code w[r + s m]}, {@code m < M = ceil(k / s)} (taps past the kernel are zero).
     */
    private static String polyphaseBack(GraphEmitter e, String signal, String weights, Geometry g, long[] w,
            long[] x, long[] y) {
        long s = g.strides()[0];
        long out = w[0];
        long in = w[1];
        long mh = ceilDiv(w[2], s);
        long mw = ceilDiv(w[3], s);
        // W [O, I, kh, kw] -> zero taps up to M*s -> [O, I, Mh, s, Mw, s] -> flip the M axes
        // -> [s(rh), s(rw), I, O, Mh, Mw] -> [s*s*I, O, Mh, Mw]
        String padded = e.op("Pad", List.of(weights, e.longs(0, 0, 0, 0, 0, 0, mh * s - w[2], mw * s - w[3])));
        String taps = e.reshape(padded, out, in, mh, s, mw, s);
        String flipped = e.op("Slice", List.of(taps, e.longs(-1, -1), e.longs(Long.MIN_VALUE, Long.MIN_VALUE),
                e.longs(2, 4), e.longs(-1, -1)));
        String phases = e.reshape(e.transpose(flipped, 3, 5, 1, 0, 2, 4), s * s * in, out, mh, mw);
        long[] q = new long[2];
        long[] padEnd = new long[2];
        long[] m = {mh, mw};
        for (int k = 0; k < 2; k++) {
            q[k] = Math.max(y[2 + k] + m[k] - 1, ceilDiv(x[2 + k] + g.padBegin()[k], s));
            padEnd[k] = q[k] - y[2 + k];
        }
        String conv = e.op("Conv", List.of(signal, phases), intsAttr("pads", mh - 1, mw - 1, padEnd[0], padEnd[1]),
                intsAttr("kernel_shape", mh, mw));
        return e.interleave(conv, new PhaseLayout(s, in, q[0], q[1], g.padBegin()[0], g.padBegin()[1], x[2], x[3]));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
