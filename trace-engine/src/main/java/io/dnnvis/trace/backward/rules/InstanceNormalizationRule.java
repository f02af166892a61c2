package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Arrays;
import java.util.List;

/**
 * InstanceNormalization: with {@code x^ = (x - mean) / sigma} over the spatial axes,
 * {@code dx = scale / sigma * (g - mean(g) - x^ mean(g x^))}.
 */
public final class InstanceNormalizationRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        if (ctx.needsSignal(1) || ctx.needsSignal(2)) {
            throw ctx.unsupported("signal through the InstanceNormalization parameters");
        }
        GraphEmitter e = ctx.emit();
        float epsilon = ctx.node().attribute("epsilon").map(a -> a.asFloat()).orElse(1e-5f);
        long[] x = ctx.shape(ctx.input(0));
        long[] axes = new long[x.length - 2];
        long[] signalAxes = new long[x.length - 2];
        for (int k = 0; k < axes.length; k++) {
            axes[k] = k + 2;
            signalAxes[k] = k + 3;
        }
        String mean = e.reduceMean(ctx.input(0), axes);
        String centred = e.sub(ctx.input(0), mean);
        String variance = e.reduceMean(e.mul(centred, centred), axes);
        String inverseSigma = e.div(e.scalar(1f), e.op("Sqrt", List.of(e.add(variance, e.scalar(epsilon)))));
        String normalized = e.mul(centred, inverseSigma);
        long[] channelShape = new long[x.length - 1];
        Arrays.fill(channelShape, 1);
        channelShape[0] = x[1];
        String factor = e.mul(e.reshape(ctx.input(1), channelShape), inverseSigma);
        String g = ctx.signal(0).orElseThrow();
        String meanG = e.reduceMean(g, signalAxes);
        String meanGx = e.reduceMean(e.mul(g, normalized), signalAxes);
        String inner = e.sub(e.sub(g, meanG), e.mul(normalized, meanGx));
        ctx.send(0, e.mul(inner, factor));
    }
}
