package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import io.dnnvis.trace.backward.graph.Site;

/**
 * Relu, in the three flavours the backward nets differ by (the reference README's table):
 * SaliNet {@code g * [x > 0]} (the gradient), DeconvNet {@code max(g, 0)},
 * DeSaliNet {@code max(g, 0) * [x > 0]}.
 *
 * <p>The mask is read from the output {@code y = max(x, 0)} ({@code y > 0} exactly where {@code x > 0}):
 * the forward Conv before the Relu then has one consumer, so ONNX Runtime fuses the Relu into it,
 * and when a MaxPool follows, the mask shares the plain-layout copy of {@code y} the unpooling reads.
 * The mask is noted as a {@link Site.PositiveMask}.
 */
public final class ReluRule implements BackwardRule {

    /** The exact gradient (SaliNet). */
    public static final ReluRule GRADIENT = new ReluRule(true, false);
    /** DeconvNet: rectify the backward signal, ignore the forward pass. */
    public static final ReluRule DECONVNET = new ReluRule(false, true);
    /** DeSaliNet (guided backpropagation): both. */
    public static final ReluRule DESALINET = new ReluRule(true, true);

    private final boolean forwardMask;
    private final boolean rectify;

    private ReluRule(boolean forwardMask, boolean rectify) {
        this.forwardMask = forwardMask;
        this.rectify = rectify;
    }

    @Override
    public void backward(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        String s = ctx.signal(0).orElseThrow();
        if (rectify) {
            s = e.relu(s);
        }
        if (forwardMask) {
            String masked = e.mul(s, e.greaterMask(ctx.output(0), 0f));
            ctx.note(new Site.PositiveMask(masked, s, ctx.output(0)));
            s = masked;
        }
        ctx.send(0, s);
    }

    @Override
    public String toString() {
        return forwardMask ? (rectify ? "Relu[desalinet]" : "Relu[gradient]") : "Relu[deconvnet]";
    }
}
