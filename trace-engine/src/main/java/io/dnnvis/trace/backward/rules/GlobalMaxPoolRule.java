package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.List;

/** GlobalMaxPool: the signal goes to the first maximum of each map (its gradient). */
public final class GlobalMaxPoolRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        long[] x = ctx.shape(ctx.input(0));
        long spatial = AveragePoolRule.count(x, 2);
        String flat = e.reshape(ctx.input(0), x[0], x[1], spatial);
        String argmax = e.op("ArgMax", List.of(flat), intAttr("axis", 2), intAttr("keepdims", 1));
        long[] range = new long[(int) spatial];
        for (int k = 0; k < range.length; k++) {
            range[k] = k;
        }
        String mask = e.toFloat(e.op("Equal", List.of(argmax, e.longTensor(new long[] {spatial}, range))));
        ctx.send(0, e.mul(ctx.signal(0).orElseThrow(), e.reshape(mask, x)));
    }
}
