package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.BackwardRule;
import io.dnnvis.trace.backward.GraphEmitter;
import io.dnnvis.trace.backward.RuleContext;
import java.util.Arrays;
import java.util.List;

/**
 * Conv: the signal goes back through the transposed convolution with the same weights, strides,
 * pads, dilations and groups, and no bias. Handles grouped and depthwise convolution, any spatial
 * rank, explicit and automatic padding.
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
        int r = x.length - 2;
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        Geometry g = Geometry.of(ctx, kernel, Arrays.copyOfRange(x, 2, x.length), Arrays.copyOfRange(y, 2, y.length));
        long[][] pads = g.transposedPads(Arrays.copyOfRange(x, 2, x.length), Arrays.copyOfRange(y, 2, y.length));
        long[] merged = y.clone();
        merged[0] = -1;
        String flat = e.reshape(ctx.signal(0).orElseThrow(), merged);
        String back = e.op("ConvTranspose", List.of(flat, ctx.input(1)),
                intsAttr("strides", g.strides()), intsAttr("dilations", g.dilations()), intsAttr("pads", pads[0]),
                intsAttr("output_padding", pads[1]), intsAttr("kernel_shape", kernel),
                intAttr("group", ctx.node().intAttribute("group", 1)));
        ctx.send(0, e.reshapeSignal(back, x));
    }
}
