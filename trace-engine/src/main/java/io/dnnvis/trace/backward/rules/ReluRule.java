package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.BackwardRule;
import io.dnnvis.trace.backward.GraphEmitter;
import io.dnnvis.trace.backward.RuleContext;

/**
 * Relu, in the three flavours the backward nets differ by (the reference README's table):
 * SaliNet {@code g * [x > 0]} (the gradient), DeconvNet {@code max(g, 0)},
 * DeSaliNet {@code max(g, 0) * [x > 0]}.
 *
 * <p>The mask is read from the output {@code y = max(x, 0)} ({@code y > 0} exactly where {@code x > 0}):
 * the forward Conv before the Relu then has one consumer, so ONNX Runtime fuses the Relu into it,
 * and when a MaxPool follows, the mask shares the plain-layout copy of {@code y} the unpooling reads.
 * With the mask, a switch unpooling that reads {@code y} sends nothing where {@code y <= 0} (see
 * {@link MaxPoolRule}), and the mask is then left out: its multiply would not change a value.
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
        // a signal already zero where y <= 0 (a switch unpooling that dropped such windows) keeps its values
        if (forwardMask && !ctx.signalMasked(0)) {
            s = e.mul(s, e.greaterMask(ctx.output(0), 0f));
        }
        ctx.send(0, s);
    }

    @Override
    public boolean masksNonPositiveOutput() {
        return forwardMask;
    }
}
