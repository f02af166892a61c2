package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Arrays;
import java.util.List;

/**
 * Rules of the normalizations that standardize x over a set of axes and then scale it:
 * {@code y = x^ s + b} with {@code x^ = (x - mean) / sigma}, {@code sigma = sqrt(var + eps)}
 * (population variance). With {@code h = g s}, the exact vector-Jacobian product is
 * {@code dx = (h - mean(h) - x^ mean(h x^)) / sigma}, the means over the normalized axes.
 * Only x carries signal: signal through the scale or the bias is refused.
 */
public final class NormalizationRules {

    private NormalizationRules() {
    }

    /**
     * {@code (h - mean(h) - x^ mean(h x^)) / sigma} for {@code x} (a forward tensor) standardized
     * over {@code axes} and {@code h} (a signal, one leading axis more) of the same shape.
     */
    static String standardizedBackward(GraphEmitter e, String x, long[] axes, float epsilon, String h) {
        long[] signalAxes = new long[axes.length];
        for (int k = 0; k < axes.length; k++) {
            signalAxes[k] = axes[k] + 1;
        }
        String centred = e.sub(x, e.reduceMean(x, axes));
        String variance = e.reduceMean(e.mul(centred, centred), axes);
        String inverseSigma = e.div(e.scalar(1f), e.op("Sqrt", List.of(e.add(variance, e.scalar(epsilon)))));
        String normalized = e.mul(centred, inverseSigma);
        String meanH = e.reduceMean(h, signalAxes);
        String meanHx = e.reduceMean(e.mul(h, normalized), signalAxes);
        return e.mul(e.sub(e.sub(h, meanH), e.mul(normalized, meanHx)), inverseSigma);
    }

    private static float epsilon(RuleContext ctx) {
        return ctx.node().attribute("epsilon").map(a -> a.asFloat()).orElse(1e-5f);
    }

    private static void refuseParameterSignal(RuleContext ctx, String op) {
        if (ctx.needsSignal(1) || ctx.needsSignal(2)) {
            throw ctx.unsupported("signal through the " + op + " scale or bias");
        }
    }

    /**
     * LayerNormalization (opset 17): standardizes over the axes from {@code axis} (default -1) to
     * the last; Scale (and B) broadcast against those axes. Signal at the optional Mean and
     * InvStdDev outputs is refused.
     */
    public static final class LayerNormalization implements BackwardRule {

        @Override
        public void backward(RuleContext ctx) {
            refuseParameterSignal(ctx, "LayerNormalization");
            if (ctx.signal(1).isPresent() || ctx.signal(2).isPresent()) {
                throw ctx.unsupported("signal through the LayerNormalization Mean or InvStdDev outputs");
            }
            int rank = ctx.shape(ctx.input(0)).length;
            long axis = ctx.node().intAttribute("axis", -1);
            if (axis < 0) {
                axis += rank;
            }
            if (axis < 0 || axis >= rank) {
                throw ctx.unsupported("LayerNormalization axis " + ctx.node().intAttribute("axis", -1)
                        + " outside a rank-" + rank + " input");
            }
            long[] axes = new long[(int) (rank - axis)];
            for (int k = 0; k < axes.length; k++) {
                axes[k] = axis + k;
            }
            GraphEmitter e = ctx.emit();
            String h = e.mul(ctx.signal(0).orElseThrow(), ctx.input(1));
            ctx.send(0, standardizedBackward(e, ctx.input(0), axes, epsilon(ctx), h));
        }
    }

    /**
     * GroupNormalization: x {@code [N, C, ...]} standardized per image over each group of
     * {@code C / num_groups} channels and all spatial positions; the scale is per group (opset 18)
     * or per channel (opset 21). Worked in the grouped shape {@code [N, G, C/G, S]}.
     */
    public static final class GroupNormalization implements BackwardRule {

        @Override
        public void backward(RuleContext ctx) {
            refuseParameterSignal(ctx, "GroupNormalization");
            long[] x = ctx.shape(ctx.input(0));
            long groups = ctx.node().intAttribute("num_groups", 0);
            if (x.length < 2 || groups <= 0 || x[1] % groups != 0) {
                throw ctx.unsupported("GroupNormalization with num_groups " + groups + " on a "
                        + Arrays.toString(x) + " input");
            }
            long perGroup = x[1] / groups;
            long spatial = 1;
            for (int k = 2; k < x.length; k++) {
                spatial *= x[k];
            }
            long[] grouped = {x[0], groups, perGroup, spatial};
            GraphEmitter e = ctx.emit();
            String xg = e.reshape(ctx.input(0), grouped);
            String scale = ctx.opset() >= 21
                    ? e.reshape(ctx.input(1), groups, perGroup, 1)
                    : e.reshape(ctx.input(1), groups, 1, 1);
            String h = e.mul(e.reshapeSignal(ctx.signal(0).orElseThrow(), grouped), scale);
            String dx = standardizedBackward(e, xg, new long[] {2, 3}, epsilon(ctx), h);
            ctx.send(0, e.reshapeSignal(dx, x));
        }
    }
}
