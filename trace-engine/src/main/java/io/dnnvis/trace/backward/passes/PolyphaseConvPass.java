package io.dnnvis.trace.backward.passes;

import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.Geometry;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.PhaseLayout;
import io.dnnvis.trace.backward.graph.Site;
import java.util.List;

/**
 * A strided 2-D Conv's backward as phases: with an equal stride {@code s > 1} on both axes (no
 * dilation, one group) and a kernel at least {@code s} wide, the transposed convolution splits into
 * {@code s²} phases, one per output position modulo {@code s}, each a unit-stride convolution with
 * every {@code s}-th kernel tap: one Conv with {@code s² × C} output channels computes them all,
 * DepthToSpace interleaves them and a Slice cuts the padding off (noted as a
 * {@link Site.Interleave}). About the same arithmetic (taps past the kernel are zeros), but on
 * ONNX Runtime's fast Conv kernels.
 */
public final class PolyphaseConvPass implements GraphPass {

    @Override
    public String name() {
        return "polyphase-conv";
    }

    @Override
    public boolean apply(BackwardGraph graph, PassContext context) {
        if (graph.opset() < 11) {
            return false;
        }
        return graph.rewriteEach(Site.TransposedConv.class, t -> {
            if (!applies(t) || graph.isOutput(t.output())) {
                return false;
            }
            TransposedConvs.replace(graph, t, (e, flat) -> phases(e, flat, t.conv().inputs().get(1), t.geometry(),
                    t.w(), t.x(), t.y()));
            return true;
        });
    }

    private static boolean applies(Site.TransposedConv t) {
        Geometry g = t.geometry();
        long s = g.strides()[0];
        long[] w = t.w();
        // kernels smaller than the stride would make most phase taps zero (a 1x1 stride-2 kernel: 3/4)
        return g.rank() == 2 && t.group() == 1 && g.strides()[1] == s && s > 1 && w[2] >= s && w[3] >= s
                && g.dilations()[0] == 1 && g.dilations()[1] == 1;
    }

    /**
     * The transposed stride-{@code s} convolution of {@code signal [N, O, Yh, Yw]} as phases:
     * phase {@code (rh, rw)} of the padded input position {@code p = i + pad} ({@code p = s q + r})
     * receives {@code sum_m signal[q - m] w[r + s m]}, a full convolution with the flipped taps
     * {@code w[r + s m]}, {@code m < M = ceil(k / s)} (taps past the kernel are zero).
     */
    private static String phases(GraphEmitter e, String signal, String weights, Geometry g, long[] w, long[] x,
            long[] y) {
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
