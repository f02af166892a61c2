package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;

/**
 * Pad in every mode (constant, edge, reflect, wrap): per padded axis, each output position reads
 * one input position (or the constant); the adjoint sums what it read back.
 */
public final class PadRule implements BackwardRule {

    /** The modes of Pad (opset 19 added wrap). */
    public static final java.util.Set<String> MODES = java.util.Set.of("constant", "edge", "reflect", "wrap");

    @Override
    public void backward(RuleContext ctx) {
        long[] x = ctx.shape(ctx.input(0));
        String mode = ctx.node().attribute("mode").map(a -> a.asString()).orElse("constant");
        if (!MODES.contains(mode)) {
            throw ctx.unsupported("unknown Pad mode '" + mode + "'");
        }
        long[] pads;
        long[] axes = null;
        if (ctx.opset() < 11) {
            pads = ctx.node().intsAttribute("pads").orElseThrow(() -> ctx.unsupported("Pad without pads"));
        } else {
            pads = ctx.constant(ctx.input(1)).orElseThrow(() -> ctx.unsupported("Pad's pads are not a constant"))
                    .toLongArray();
            if (!ctx.input(3).isEmpty()) {
                axes = ctx.constant(ctx.input(3)).orElseThrow(() -> ctx.unsupported("Pad's axes are not a constant"))
                        .toLongArray();
            }
        }
        if (axes == null) {
            axes = new long[x.length];
            for (int k = 0; k < axes.length; k++) {
                axes[k] = k;
            }
        }
        String s = ctx.signal(0).orElseThrow();
        int n = axes.length;
        for (int k = 0; k < n; k++) {
            int axis = (int) (axes[k] < 0 ? axes[k] + x.length : axes[k]);
            long begin = pads[k];
            long end = pads[n + k];
            if (begin == 0 && end == 0) {
                continue;
            }
            int in = (int) x[axis];
            int out = (int) (in + begin + end);
            int[] index = new int[out];
            for (int o = 0; o < out; o++) {
                index[o] = source(mode, o - begin, in);
            }
            s = AxisMaps.adjoint(ctx.emit(), s, x.length + 1, axis + 1, AxisMaps.gather(index, in));
        }
        ctx.send(0, s);
    }

    /**
     * The input position that position {@code i} of a padded axis (counted from the input's first,
     * so negative in the front pad) reads, for an input axis of {@code n}; -1 for the constant.
     *
     * @throws IllegalArgumentException for a mode not in {@link #MODES}
     */
    public static int source(String mode, long i, int n) {
        return switch (mode) {
            case "constant" -> i >= 0 && i < n ? (int) i : -1;
            case "edge" -> (int) Math.max(0, Math.min(n - 1, i));
            case "wrap" -> (int) Math.floorMod(i, n);
            case "reflect" -> {
                if (n == 1) {
                    yield 0;
                }
                long period = 2L * (n - 1);
                long r = Math.floorMod(i, period);
                yield (int) (r < n ? r : period - r);
            }
            default -> throw new IllegalArgumentException("unknown Pad mode '" + mode + "'");
        };
    }
}
