package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.geometry.SliceGeometry;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;

/**
 * Slice (any steps; {@link SliceGeometry}): each sliced axis maps its selected indices back; the rest
 * gets zeros.
 */
public final class SliceRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        long[] y = ctx.shape(ctx.output(0));
        SliceGeometry slice = SliceGeometry.of(ctx.node(), x.length, ctx::constant).orElseThrow(
                () -> ctx.unsupported("Slice's starts, ends, axes and steps are not constants that fit its input's "
                        + x.length + " axes"));
        String s = ctx.signal(0).orElseThrow();
        for (int axis = 0; axis < x.length; axis++) {
            if (!slice.slices(axis)) {
                continue;
            }
            int[] index = slice.kept(axis, (int) x[axis]);
            if (index.length != y[axis]) {
                throw ctx.unsupported("slice along axis " + axis + " selects " + index.length + " elements, the output has "
                        + y[axis]);
            }
            float[][] m = AxisMaps.gather(index, (int) x[axis]);
            if (!AxisMaps.isIdentity(m)) {
                s = AxisMaps.adjoint(ctx.emit(), s, x.length + 1, axis + 1, m);
            }
        }
        ctx.send(0, s);
    }
}
