package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.Geometry;
import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.onnx.Node;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Arrays;
import java.util.List;

/** ConvTranspose: its adjoint is the convolution with the same weights, strides, pads and groups. */
public final class ConvTransposeRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        if (ctx.needsSignal(1) || ctx.needsSignal(2)) {
            throw ctx.unsupported("signal through the weights or bias");
        }
        Node n = ctx.node();
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        long[] w = ctx.shape(ctx.input(1));
        long[] y = ctx.shape(ctx.output(0));
        int r = x.length - 2;
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        long[] strides = n.intsAttribute("strides").orElse(Geometry.ones(r));
        long[] dilations = n.intsAttribute("dilations").orElse(Geometry.ones(r));
        long[] outputPadding = n.intsAttribute("output_padding").orElse(new long[r]);
        String autoPad = n.attribute("auto_pad").map(a -> a.asString()).orElse("NOTSET");
        long[] pads = n.intsAttribute("pads").orElse(new long[2 * r]);
        if (n.attribute("output_shape").isPresent() || autoPad.startsWith("SAME")) {
            for (int k = 0; k < r; k++) {
                long total = strides[k] * (x[k + 2] - 1) + outputPadding[k] + (kernel[k] - 1) * dilations[k] + 1
                        - y[k + 2];
                long half = total / 2;
                pads[k] = autoPad.equals("SAME_UPPER") ? half : total - half;
                pads[r + k] = total - pads[k];
            }
        } else if (autoPad.equals("VALID")) {
            pads = new long[2 * r];
        }
        long[] merged = y.clone();
        merged[0] = -1;
        String flat = e.reshape(ctx.signal(0).orElseThrow(), merged);
        String back = e.op("Conv", List.of(flat, ctx.input(1)), intsAttr("strides", strides),
                intsAttr("dilations", dilations), intsAttr("pads", pads), intsAttr("kernel_shape", kernel),
                intAttr("group", n.intAttribute("group", 1)));
        ctx.send(0, e.reshapeSignal(back, x));
    }
}
