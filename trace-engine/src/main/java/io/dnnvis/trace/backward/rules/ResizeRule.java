package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Optional;

/**
 * Resize (opset 10+) and Upsample, nearest, (bi/tri)linear and (bi)cubic modes: all act on each
 * axis separately, so the adjoint applies, per resized axis, the transposed interpolation matrix
 * computed on the host from the known shapes, the op's coordinate transformation and rounding
 * rules, and for cubic its {@code cubic_coeff_a} and {@code exclude_outside} (the four neighbours of
 * a position outside the input read the edge, or with {@code exclude_outside} are dropped and the
 * remaining weights renormalized). Antialiased resizing (opset 18+) is refused.
 */
public final class ResizeRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        long[] y = ctx.shape(ctx.output(0));
        boolean upsample = ctx.node().opType().equals("Upsample");
        boolean legacy = upsample || ctx.opset() < 11;
        String mode = ctx.node().attribute("mode").map(a -> a.asString()).orElse("nearest");
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("bilinear")
                && !mode.equals("cubic")) {
            throw ctx.unsupported("resize mode '" + mode + "' (nearest, linear and cubic are supported)");
        }
        String transform = legacy ? "asymmetric"
                : ctx.node().attribute("coordinate_transformation_mode").map(a -> a.asString()).orElse("half_pixel");
        String rounding = legacy ? "floor"
                : ctx.node().attribute("nearest_mode").map(a -> a.asString()).orElse("round_prefer_floor");
        float[] scales = scales(ctx, x, y, upsample);
        // antialias filters only linear and cubic downscaling (opset 18); tf2onnx sets it whatever the direction
        if (ctx.node().intAttribute("antialias", 0) != 0 && !mode.equals("nearest")) {
            for (int axis = 0; axis < x.length; axis++) {
                if (scales[axis] < 1f) {
                    throw ctx.unsupported("antialiased downscaling (Resize with antialias=1 and scale " + scales[axis]
                            + " on axis " + axis + ") is not supported; antialiased upscaling is");
                }
            }
        }
        String s = ctx.signal(0).orElseThrow();
        for (int axis = 0; axis < x.length; axis++) {
            if (x[axis] == y[axis] && scales[axis] == 1f) {
                continue;
            }
            float[][] m = switch (mode) {
                case "nearest" -> nearest(ctx, (int) x[axis], (int) y[axis], scales[axis], transform, rounding);
                case "cubic" -> cubic(ctx, (int) x[axis], (int) y[axis], scales[axis], transform);
                default -> linear(ctx, (int) x[axis], (int) y[axis], scales[axis], transform);
            };
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
            case "half_pixel_symmetric" -> {
                float adjustment = out / (scale * in);
                float offset = in / 2f * (1 - adjustment);
                yield offset + (o + 0.5f) / scale - 0.5f;
            }
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

    /**
     * The cubic convolution matrix: output {@code o} at original position {@code p} reads the
     * inputs {@code floor(p) - 1 .. floor(p) + 2} with Keys' weights for {@code a}.
     */
    private static float[][] cubic(RuleContext ctx, int in, int out, float scale, String transform) {
        float a = ctx.node().attribute("cubic_coeff_a").map(v -> v.asFloat()).orElse(-0.75f);
        boolean excludeOutside = ctx.node().intAttribute("exclude_outside", 0) != 0;
        float[][] m = new float[out][in];
        for (int o = 0; o < out; o++) {
            float p = original(ctx, o, in, out, scale, transform);
            int base = (int) Math.floor(p);
            float t = p - base;
            float[] w = {keys(a, t + 1), keys(a, t), keys(a, 1 - t), keys(a, 2 - t)};
            float kept = 0;
            for (int k = 0; k < 4; k++) {
                int i = base - 1 + k;
                if (excludeOutside && (i < 0 || i >= in)) {
                    w[k] = 0;
                }
                kept += w[k];
            }
            for (int k = 0; k < 4; k++) {
                int i = Math.max(0, Math.min(in - 1, base - 1 + k));
                m[o][i] += excludeOutside ? w[k] / kept : w[k];
            }
        }
        return m;
    }

    /** Keys' cubic convolution kernel at distance {@code d} (0 to 2). */
    private static float keys(float a, float d) {
        return d <= 1 ? ((a + 2) * d - (a + 3)) * d * d + 1 : ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
    }
}
