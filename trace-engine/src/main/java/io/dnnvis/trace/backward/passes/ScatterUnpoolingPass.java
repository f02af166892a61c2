package io.dnnvis.trace.backward.passes;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.Geometry;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.Site;
import io.dnnvis.trace.backward.rules.MaxPoolRule;
import io.dnnvis.trace.backward.rules.SwitchUnpooling;
import java.util.List;

/**
 * Switch unpooling as a scatter. Window {@code (i, j)} writes its signal, by MaxUnpool, at its
 * maximum in plane {@code (i mod py, j mod px)} of {@link #planesAlong}: windows of one plane do not
 * overlap, so no two signals land on one place, and a ReduceSum over the planes adds what
 * overlapping windows send to one position. The planes hold the input padded as
 * {@link SwitchUnpooling#windowMaxima} pads it (every window position has a place), and the padding
 * is cut off at the end.
 *
 * <p>Against the exact one-hot and ConvTranspose form, which runs a small GEMM and a col2im on one
 * thread for every plane of every signal, MaxUnpool makes one store per pooled cell. Taken where
 * windows do not overlap (one plane), and where they overlap at most one neighbour per axis (up to
 * {@link #MAX_PLANES} planes) in a graph for one signal: for many signals the planes of every
 * signal cost more memory than they save time. docs/performance.md has the measurements.
 */
public final class ScatterUnpoolingPass implements GraphPass {

    /** Most planes the scatter writes into. */
    static final long MAX_PLANES = 4;

    @Override
    public String name() {
        return "scatter-unpooling";
    }

    @Override
    public boolean apply(BackwardGraph graph, PassContext context) {
        if (graph.opset() < MaxPoolRule.OWN_MAXIMA_OPSET) {
            return false;
        }
        return graph.rewriteEach(Site.SwitchUnpooling.class, u -> {
            long planes = planesAlong(u.geometry(), 0) * planesAlong(u.geometry(), 1);
            if (graph.isOutput(u.output()) || !(planes == 1 || planes <= MAX_PLANES && context.oneSignal())) {
                return false;
            }
            GraphEmitter e = graph.emitterBefore(u.output()).scope("scatter-unpooling");
            String positions = SwitchUnpooling.windowMaxima(e, u.pooled(), u.geometry(), u.x(), u.y(),
                    u.positiveOnly());
            graph.replaceUses(u.output(), scatter(e, u, positions));
            return true;
        });
    }

    /**
     * Along axis {@code k}, how many planes keep windows apart: windows {@code m} apart never share
     * an input position once {@code m} strides reach past the window's extent.
     */
    static long planesAlong(Geometry g, int k) {
        long extent = (g.kernel()[k] - 1) * g.dilations()[k] + 1;
        return (extent + g.strides()[k] - 1) / g.strides()[k];
    }

    private static String scatter(GraphEmitter e, Site.SwitchUnpooling u, String position) {
        Geometry g = u.geometry();
        long[] x = u.x();
        long[] y = u.y();
        long n = x[0];
        long c = x[1];
        long oh = y[2];
        long ow = y[3];
        long[][] frame = SwitchUnpooling.paddedFrame(g, x, y);
        long ph = frame[0][0] + x[2] + frame[1][0];
        long pw = frame[0][1] + x[3] + frame[1][1];
        long plane = ph * pw;
        long py = planesAlong(g, 0);
        long px = planesAlong(g, 1);
        long planes = py * px;
        long kw = g.kernel()[1];
        int kk = (int) (g.kernel()[0] * kw);
        // windowMaxima's positions, with its sentinel first when positiveOnly (a zero signal, kept in the window)
        int first = u.positiveOnly() ? 1 : 0;
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
        String values = e.reshape(u.signal(), -1, n, c, oh, ow);
        String zero = e.longTensor(new long[0], new long[] {0});
        if (u.positiveOnly()) {
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
}
