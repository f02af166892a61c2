package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.DataType;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.List;

/**
 * Pow with numpy broadcasting: the base x gets {@code p x^(p-1)} times the signal; the exponent p,
 * where the signal reaches it, gets {@code y ln x} times the signal (0 where x <= 0, where the real
 * derivative is the limit 0 at x = 0 or does not exist), each summed over the axes it was broadcast
 * along. An integer exponent (opset 12+) is cast to float for the derivative.
 */
final class PowRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        String g = ctx.signal(0).orElseThrow();
        String x = ctx.input(0);
        String p = ctx.input(1);
        String y = ctx.output(0);
        long[] out = ctx.shape(y);
        if (ctx.needsSignal(0)) {
            String exponent = e.cast(p, DataType.FLOAT);
            String lowered = e.op("Pow", List.of(x, e.sub(exponent, e.scalar(1f))));
            String d = e.mul(exponent, lowered);
            ctx.send(0, e.unbroadcast(e.mul(g, d), out, ctx.shape(x)));
        }
        if (ctx.needsSignal(1)) {
            String positive = e.op("Greater", List.of(x, e.scalar(0f)));
            String logX = e.op("Log", List.of(x));
            String d = e.op("Where", List.of(positive, e.mul(y, logX), e.scalar(0f)));
            ctx.send(1, e.unbroadcast(e.mul(g, d), out, ctx.shape(p)));
        }
    }
}
