package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.geometry.PadGeometry;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;

/**
 * Pad in every mode (constant, edge, reflect, wrap; {@link PadGeometry}): per padded axis, each
 * output position reads one input position (or the constant); the adjoint sums what it read back.
 */
public final class PadRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        String mode = PadGeometry.mode(ctx.node());
        if (!PadGeometry.MODES.contains(mode)) {
            throw ctx.unsupported("unknown Pad mode '" + mode + "'");
        }
        PadGeometry pad = PadGeometry.of(ctx.node(), x.length, ctx::constant).orElseThrow(
                () -> ctx.unsupported("Pad's pads (or axes) are not constants that fit its input's " + x.length
                        + " axes")); // its constant value may be computed: the adjoint does not read it
        String s = ctx.signal(0).orElseThrow();
        for (int axis = 0; axis < x.length; axis++) {
            if (!pad.changes(axis)) {
                continue;
            }
            int in = (int) x[axis];
            int out = (int) (in + pad.begin()[axis] + pad.end()[axis]);
            int[] index = new int[out];
            for (int o = 0; o < out; o++) {
                index[o] = pad.source(axis, o, in);
            }
            s = AxisMaps.adjoint(ctx.emit(), s, x.length + 1, axis + 1, AxisMaps.gather(index, in));
        }
        ctx.send(0, s);
    }
}
