package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.List;

/** BatchNormalization in inference mode: the signal times {@code scale / sqrt(var + epsilon)} per channel. */
public final class BatchNormalizationRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        if (ctx.node().intAttribute("training_mode", 0) != 0) {
            throw ctx.unsupported("BatchNormalization in training mode");
        }
        for (int i = 1; i <= 4; i++) {
            if (ctx.needsSignal(i)) {
                throw ctx.unsupported("signal through the BatchNormalization parameters");
            }
        }
        GraphEmitter e = ctx.emit();
        float epsilon = ctx.node().attribute("epsilon").map(a -> a.asFloat()).orElse(1e-5f);
        long[] x = ctx.shape(ctx.input(0));
        String std = e.op("Sqrt", List.of(e.add(ctx.input(4), e.scalar(epsilon))));
        String factor = e.div(ctx.input(1), std);
        long[] channelShape = new long[x.length - 1];
        java.util.Arrays.fill(channelShape, 1);
        channelShape[0] = x[1];
        ctx.send(0, e.mul(ctx.signal(0).orElseThrow(), e.reshape(factor, channelShape)));
    }
}
