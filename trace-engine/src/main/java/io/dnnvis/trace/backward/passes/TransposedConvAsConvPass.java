package io.dnnvis.trace.backward.passes;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.Site;
import java.util.Arrays;
import java.util.List;

/**
 * A Conv's backward with unit strides as a convolution: the transposed convolution equals the
 * convolution with the weights' input and output channels swapped (per group) and the kernel
 * flipped, padded by {@code d(k-1) - pad}. ONNX Runtime's Conv kernels (blocked layouts, fused
 * reorders) run it about twice as fast as its ConvTranspose. The weight rearrangement depends only
 * on the weights, so ONNX Runtime folds it into a constant when the session is built.
 */
public final class TransposedConvAsConvPass implements GraphPass {

    @Override
    public String name() {
        return "transposed-conv-as-conv";
    }

    @Override
    public boolean apply(BackwardGraph graph, PassContext context) {
        if (graph.opset() < 10) {
            return false;
        }
        return graph.rewriteEach(Site.TransposedConv.class, t -> {
            long[] pads = t.geometry().transposeAsConvPads();
            if (pads == null || graph.isOutput(t.output())) {
                return false;
            }
            TransposedConvs.replace(graph, t, (e, flat) -> e.op("Conv",
                    List.of(flat, flippedWeights(e, t.conv().inputs().get(1), t.w(), t.group())),
                    intsAttr("dilations", t.geometry().dilations()), intsAttr("pads", pads),
                    intsAttr("kernel_shape", t.geometry().kernel()), intAttr("group", t.group())));
            return true;
        });
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
        Arrays.fill(starts, -1);
        Arrays.fill(ends, Long.MIN_VALUE);
        Arrays.fill(steps, -1);
        for (int k = 0; k < r; k++) {
            axes[k] = 2 + k;
        }
        return e.op("Slice", List.of(t, e.longs(starts), e.longs(ends), e.longs(axes), e.longs(steps)));
    }
}
