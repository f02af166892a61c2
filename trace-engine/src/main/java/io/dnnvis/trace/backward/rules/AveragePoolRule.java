package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.Geometry;
import static io.dnnvis.onnx.build.OnnxProtos.tensorAttr;

import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AveragePool: each input position gets {@code signal / divisor} from every window covering it.
 * The divisor per window (which depends on count_include_pad and ceil_mode) is read off ONNX
 * Runtime itself by pooling a tensor of ones, so it matches the forward pass exactly.
 */
public final class AveragePoolRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        long[] y = ctx.shape(ctx.output(0));
        int r = x.length - 2;
        long[] kernel = ctx.node().intsAttribute("kernel_shape")
                .orElseThrow(() -> ctx.unsupported("AveragePool without kernel_shape"));
        Geometry g = Geometry.of(ctx, kernel, Arrays.copyOfRange(x, 2, x.length), Arrays.copyOfRange(y, 2, y.length));
        List<float[][]> maps = new ArrayList<>();
        long[] valid = new long[(int) count(y, 2)];
        Arrays.fill(valid, 1);
        for (int k = 0; k < r; k++) {
            int in = (int) x[k + 2];
            int out = (int) y[k + 2];
            float[][] m = new float[out][in];
            for (int o = 0; o < out; o++) {
                for (long t = 0; t < kernel[k]; t++) {
                    long i = g.start(k, o) + t * g.dilations()[k];
                    if (i >= 0 && i < in) {
                        m[o][(int) i] = 1f;
                    }
                }
            }
            maps.add(m);
        }
        // valid positions per window = product over axes of the row sums
        float[] inverseValid = new float[valid.length];
        for (int flat = 0; flat < valid.length; flat++) {
            long rest = flat;
            long product = 1;
            for (int k = r - 1; k >= 0; k--) {
                int o = (int) (rest % y[k + 2]);
                rest /= y[k + 2];
                float rowSum = 0;
                for (float v : maps.get(k)[o]) {
                    rowSum += v;
                }
                product *= (long) rowSum;
            }
            inverseValid[flat] = product == 0 ? 0f : 1f / product;
        }
        long[] onesShape = x.clone();
        onesShape[0] = 1;
        onesShape[1] = 1;
        String ones = e.op("ConstantOfShape", List.of(e.longs(onesShape)),
                tensorAttr("value", OnnxProtos.floatTensor("one", new long[] {1}, new float[] {1f})));
        List<AttributeProto> attrs = new ArrayList<>();
        ctx.node().attributes().values().forEach(a -> attrs.add(Attributes.toProto(a)));
        String pooledOnes = e.op("AveragePool", List.of(ones), attrs.toArray(AttributeProto[]::new));
        long[] windowShape = new long[y.length];
        Arrays.fill(windowShape, 1);
        System.arraycopy(y, 2, windowShape, 2, r);
        String coefficient = e.mul(pooledOnes, e.constant(windowShape, inverseValid));
        String s = e.mul(ctx.signal(0).orElseThrow(), coefficient);
        for (int k = 0; k < r; k++) {
            if (!AxisMaps.isIdentity(maps.get(k))) {
                s = AxisMaps.adjoint(e, s, x.length + 1, k + 3, maps.get(k));
            }
        }
        ctx.send(0, s);
    }

    static long count(long[] shape, int from) {
        long n = 1;
        for (int k = from; k < shape.length; k++) {
            n *= shape[k];
        }
        return n;
    }
}
