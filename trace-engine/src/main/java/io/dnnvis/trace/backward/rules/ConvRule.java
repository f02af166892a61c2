package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.Geometry;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import io.dnnvis.trace.backward.graph.Site;
import java.util.Arrays;
import java.util.List;

/**
 * Conv: the signal goes back through the transposed convolution with the same weights, strides,
 * pads, dilations and groups, and no bias. Handles grouped and depthwise convolution, any spatial
 * rank, explicit and automatic padding. Noted as a {@link Site.TransposedConv}: passes run it as a
 * convolution where that is faster.
 */
public final class ConvRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        if (ctx.needsSignal(1) || ctx.needsSignal(2)) {
            throw ctx.unsupported("signal through the convolution weights or bias");
        }
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        long[] w = ctx.shape(ctx.input(1));
        long[] y = ctx.shape(ctx.output(0));
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        Geometry g = Geometry.of(ctx, kernel, Arrays.copyOfRange(x, 2, x.length), Arrays.copyOfRange(y, 2, y.length));
        long[][] pads = g.transposedPads(Arrays.copyOfRange(x, 2, x.length), Arrays.copyOfRange(y, 2, y.length));
        long[] merged = y.clone();
        merged[0] = -1;
        String signal = ctx.signal(0).orElseThrow();
        long group = ctx.node().intAttribute("group", 1);
        String back = e.op("ConvTranspose", List.of(e.reshape(signal, merged), ctx.input(1)),
                intsAttr("strides", g.strides()), intsAttr("dilations", g.dilations()), intsAttr("pads", pads[0]),
                intsAttr("output_padding", pads[1]), intsAttr("kernel_shape", kernel), intAttr("group", group));
        String sent = e.reshapeSignal(back, x);
        ctx.note(new Site.TransposedConv(sent, signal, ctx.node(), g, x, w, y, group));
        ctx.send(0, sent);
    }
}
