package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Optional;

/**
 * Resize (opset 10+) and Upsample, nearest and (bi/tri)linear modes: both act on each axis
 * separately, so the adjoint applies, per resized axis, the transposed interpolation matrix
 * computed from the op's coordinate transformation and rounding rules.
 */
public final class ResizeRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        long[] y = ctx.shape(ctx.output(0));
        boolean upsample = ctx.node().opType().equals("Upsample");
        boolean legacy = upsample || ctx.opset() < 11;
        String mode = ctx.node().attribute("mode").map(a -> a.asString()).orElse("nearest");
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("bilinear")) {
            throw ctx.unsupported("resize mode '" + mode + "' (nearest and linear are supported)");
        }
        if (ctx.node().intAttribute("antialias", 0) != 0) {
            throw ctx.unsupported("antialiased resize");
        }
        String transform = legacy ? "asymmetric"
                : ctx.node().attribute("coordinate_transformation_mode").map(a -> a.asString()).orElse("half_pixel");
        String rounding = legacy ? "floor"
                : ctx.node().attribute("nearest_mode").map(a -> a.asString()).orElse("round_prefer_floor");
        float[] scales = scales(ctx, x, y, upsample);
        String s = ctx.signal(0).orElseThrow();
        for (int axis = 0; axis < x.length; axis++) {
            if (x[axis] == y[axis] && scales[axis] == 1f) {
                continue;
            }
            float[][] m = mode.equals("nearest")
                    ? nearest(ctx, (int) x[axis], (int) y[axis], scales[axis], transform, rounding)
                    : linear(ctx, (int) x[axis], (int) y[axis], scales[axis], transform);
            s = AxisMaps.adjoint(ctx.emit(), s, x.length + 1, axis + 1, m);
        }
        ctx.send(0, s);
    }

    private static float[] scales(RuleContext ctx, long[] x, long[] y, boolean upsample) {
        float[] scales = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            scales[k] = (float) y[k] / x[k];
        }
        Optional<float[]> given = Optional.empty();
        if (upsample && ctx.opset() < 9) {
            given = ctx.node().attribute("scales").map(a -> a.asFloats());
        } else {
            int scalesInput = upsample || ctx.opset() < 11 ? 1 : 2;
            if (!ctx.input(scalesInput).isEmpty()) {
                given = ctx.constant(ctx.input(scalesInput)).map(Tensor::toFloatArray).filter(v -> v.length > 0);
            }
        }
        long[] axes = ctx.node().intsAttribute("axes").orElse(null);
        given.ifPresent(v -> {
            for (int k = 0; k < v.length; k++) {
                int axis = axes == null ? k : (int) (axes[k] < 0 ? axes[k] + x.length : axes[k]);
                scales[axis] = v[k];
            }
        });
        // opset 18+: with sizes and keep_aspect_ratio_policy, one scale (min or max of sizes/in) serves every axis
        String policy = ctx.node().attribute("keep_aspect_ratio_policy").map(a -> a.asString()).orElse("stretch");
        if (!upsample && given.isEmpty() && !policy.equals("stretch")) {
            if (!policy.equals("not_larger") && !policy.equals("not_smaller")) {
                throw ctx.unsupported("keep_aspect_ratio_policy '" + policy + "'");
            }
            long[] sizes = ctx.constant(ctx.input(3)).map(Tensor::toLongArray)
                    .orElseThrow(() -> ctx.unsupported("Resize sizes are not a constant"));
            boolean smallest = policy.equals("not_larger");
            float scale = smallest ? Float.MAX_VALUE : 0f;
            for (int k = 0; k < sizes.length; k++) {
                int axis = axes == null ? k : (int) (axes[k] < 0 ? axes[k] + x.length : axes[k]);
                float s = (float) sizes[k] / x[axis];
                scale = smallest ? Math.min(scale, s) : Math.max(scale, s);
            }
            for (int k = 0; k < sizes.length; k++) {
                scales[axes == null ? k : (int) (axes[k] < 0 ? axes[k] + x.length : axes[k])] = scale;
            }
        }
        return scales;
    }

    private static float original(RuleContext ctx, int o, int in, int out, float scale, String transform) {
        return switch (transform) {
            case "half_pixel" -> (o + 0.5f) / scale - 0.5f;
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5f) / scale - 0.5f : 0f;
            case "align_corners" -> out == 1 ? 0f : o * (float) (in - 1) / (out - 1);
            case "asymmetric" -> o / scale;
            case "tf_half_pixel_for_nearest" -> (o + 0.5f) / scale;
            default -> throw ctx.unsupported("coordinate_transformation_mode '" + transform + "'");
        };
    }

    private static float[][] nearest(RuleContext ctx, int in, int out, float scale, String transform,
            String rounding) {
        int[] index = new int[out];
        for (int o = 0; o < out; o++) {
            float p = original(ctx, o, in, out, scale, transform);
            double i = switch (rounding) {
                case "round_prefer_floor" -> p == Math.floor(p) + 0.5 ? Math.floor(p) : Math.round(p);
                case "round_prefer_ceil" -> p == Math.floor(p) + 0.5 ? Math.ceil(p) : Math.round(p);
                case "floor" -> Math.floor(p);
                case "ceil" -> Math.ceil(p);
                default -> throw ctx.unsupported("nearest_mode '" + rounding + "'");
            };
            index[o] = (int) Math.max(0, Math.min(in - 1, i));
        }
        return AxisMaps.gather(index, in);
    }

    private static float[][] linear(RuleContext ctx, int in, int out, float scale, String transform) {
        float[][] m = new float[out][in];
        for (int o = 0; o < out; o++) {
            float p = Math.max(0f, Math.min(in - 1, original(ctx, o, in, out, scale, transform)));
            int i0 = (int) Math.floor(p);
            int i1 = Math.min(i0 + 1, in - 1);
            float w = p - i0;
            m[o][i0] += 1 - w;
            m[o][i1] += w;
        }
        return m;
    }
}
