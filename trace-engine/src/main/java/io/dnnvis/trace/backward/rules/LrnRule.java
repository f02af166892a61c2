package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.List;

/**
 * LRN's exact derivative. With {@code d_c = bias + alpha/size * sum_{c' in win(c)} x_c'^2} and
 * {@code y_c = x_c d_c^-beta}:
 * {@code dx_j = g_j d_j^-beta - 2 alpha beta / size * x_j * sum_{c: j in win(c)} g_c x_c d_c^(-beta-1)}.
 * Both channel-window sums are 1x1 convolutions with 0/1 band matrices.
 */
public final class LrnRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        int channels = (int) x[1];
        long size = ctx.node().intAttribute("size", 0);
        if (size <= 0) {
            throw ctx.unsupported("LRN needs a positive size");
        }
        float alpha = ctx.node().attribute("alpha").map(a -> a.asFloat()).orElse(1e-4f);
        float beta = ctx.node().attribute("beta").map(a -> a.asFloat()).orElse(0.75f);
        float bias = ctx.node().attribute("bias").map(a -> a.asFloat()).orElse(1f);
        long below = (size - 1) / 2;
        long above = size - 1 - below;
        // window[c][c'] = 1 when c' lies in the window of c
        float[] window = new float[channels * channels];
        float[] windowTransposed = new float[channels * channels];
        for (int c = 0; c < channels; c++) {
            for (long k = c - below; k <= c + above; k++) {
                if (k >= 0 && k < channels) {
                    window[c * channels + (int) k] = 1f;
                    windowTransposed[(int) k * channels + c] = 1f;
                }
            }
        }
        long[] kernelShape = new long[x.length];
        java.util.Arrays.fill(kernelShape, 1);
        kernelShape[0] = channels;
        kernelShape[1] = channels;
        long[] ones = new long[x.length - 2];
        java.util.Arrays.fill(ones, 1);
        String sumKernel = e.constant(kernelShape, window);
        String adjointKernel = e.constant(kernelShape, windowTransposed);
        String in = ctx.input(0);
        String squares = e.op("Conv", List.of(e.mul(in, in), sumKernel), intsAttr("kernel_shape", ones));
        String d = e.add(e.mul(squares, e.scalar(alpha / size)), e.scalar(bias));
        String dPowBeta = e.op("Pow", List.of(d, e.scalar(-beta)));
        String xOverD = e.mul(in, e.div(dPowBeta, d));
        String g = ctx.signal(0).orElseThrow();
        long[] merged = x.clone();
        merged[0] = -1;
        String gx = e.reshape(e.mul(g, xOverD), merged);
        String gathered = e.reshapeSignal(e.op("Conv", List.of(gx, adjointKernel), intsAttr("kernel_shape", ones)), x);
        String second = e.mul(e.mul(gathered, in), e.scalar(2f * alpha * beta / size));
        ctx.send(0, e.sub(e.mul(g, dPowBeta), second));
    }
}
