package io.dnnvis.trace.backward.rules;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;

import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The reductions beyond ReduceSum and ReduceMean (ReduceMax, ReduceMin, ReduceL2, ReduceSumSquare)
 * and the variadic elementwise ops (Sum, Mean, Max, Min, numpy broadcasting); all emit ops that
 * exist from opset 9. Where an extremum is tied, the signal goes to the first one.
 */
final class ReductionRules {

    /** The Reduce* ops named here take their axes as an input from this opset on. */
    private static final long AXES_INPUT_FROM = 18;

    private ReductionRules() {
    }

    /**
     * ReduceMax and ReduceMin: the signal goes to the first extremum along the reduced axes, in
     * row-major order over those axes.
     */
    static final class ReduceExtremum implements BackwardRule {

        private final boolean max;

        ReduceExtremum(boolean max) {
            this.max = max;
        }

        @Override
        public void backward(RuleContext ctx) {
            GraphEmitter e = ctx.emit();
            long[] x = ctx.shape(ctx.input(0));
            long[] axes = ReduceRule.reducedAxes(ctx, AXES_INPUT_FROM);
            String g = ctx.signal(0).orElseThrow();
            if (axes.length == 0) {
                ctx.send(0, g);
                return;
            }
            String mask = firstExtremum(e, ctx.input(0), x, axes);
            ctx.send(0, e.mul(e.reshapeSignal(g, ReduceRule.keptShape(x, axes)), mask));
        }

        /**
         * 1.0 at the first extremum of each reduced group of {@code x}, 0.0 elsewhere: the reduced
         * axes are moved last and flattened, where ArgMax/ArgMin picks the first extremum.
         */
        private String firstExtremum(GraphEmitter e, String input, long[] x, long[] axes) {
            long[] perm = keptThenReduced(x.length, axes);
            long[] moved = new long[x.length];
            long group = 1;
            for (int k = 0; k < x.length; k++) {
                moved[k] = x[(int) perm[k]];
            }
            for (long a : axes) {
                group *= x[(int) a];
            }
            boolean identity = isIdentity(perm);
            String flat = e.reshape(identity ? input : e.transpose(input, perm), -1, group);
            String index = e.op(max ? "ArgMax" : "ArgMin", List.of(flat), intAttr("axis", 1), intAttr("keepdims", 1));
            long[] positions = new long[(int) group];
            for (int k = 0; k < positions.length; k++) {
                positions[k] = k;
            }
            String hit = e.toFloat(e.op("Equal", List.of(index, e.longTensor(new long[] {group}, positions))));
            String mask = e.reshape(hit, moved);
            return identity ? mask : e.transpose(mask, inverse(perm));
        }
    }

    /** ReduceL2: y = sqrt(sum x²), so x / y (0 where y = 0). */
    static final class ReduceL2 implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            GraphEmitter e = ctx.emit();
            String input = ctx.input(0);
            long[] x = ctx.shape(input);
            long[] kept = ReduceRule.keptShape(x, ReduceRule.reducedAxes(ctx, AXES_INPUT_FROM));
            String y = e.reshape(ctx.output(0), kept);
            String positive = e.op("Greater", List.of(y, e.scalar(0f)));
            String ratio = e.op("Where", List.of(positive, e.div(input, y), e.scalar(0f)));
            ctx.send(0, e.mul(e.reshapeSignal(ctx.signal(0).orElseThrow(), kept), ratio));
        }
    }

    /** ReduceSumSquare: y = sum x², so 2 x. */
    static final class ReduceSumSquare implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            GraphEmitter e = ctx.emit();
            String input = ctx.input(0);
            long[] x = ctx.shape(input);
            long[] kept = ReduceRule.keptShape(x, ReduceRule.reducedAxes(ctx, AXES_INPUT_FROM));
            String twice = e.mul(input, e.scalar(2f));
            ctx.send(0, e.mul(e.reshapeSignal(ctx.signal(0).orElseThrow(), kept), twice));
        }
    }

    /** Sum and Mean of 1..N broadcast inputs: each input gets the signal (over N for the mean), summed over its broadcast axes. */
    static final class SumOrMean implements BackwardRule {

        private final boolean mean;

        SumOrMean(boolean mean) {
            this.mean = mean;
        }

        @Override
        public void backward(RuleContext ctx) {
            GraphEmitter e = ctx.emit();
            String g = ctx.signal(0).orElseThrow();
            int n = ctx.node().inputs().size();
            if (mean && n > 1) {
                g = e.mul(g, e.scalar(1f / n));
            }
            long[] out = ctx.shape(ctx.output(0));
            for (int i = 0; i < n; i++) {
                if (ctx.needsSignal(i)) {
                    ctx.send(i, e.unbroadcast(g, out, ctx.shape(ctx.input(i))));
                }
            }
        }
    }

    /**
     * Max and Min of 1..N broadcast inputs: at each position the signal goes to the first input
     * that holds the extremum, summed over that input's broadcast axes.
     */
    static final class Extremum implements BackwardRule {

        private final boolean max;

        Extremum(boolean max) {
            this.max = max;
        }

        @Override
        public void backward(RuleContext ctx) {
            GraphEmitter e = ctx.emit();
            String g = ctx.signal(0).orElseThrow();
            int n = ctx.node().inputs().size();
            long[] out = ctx.shape(ctx.output(0));
            if (n == 1) {
                ctx.send(0, g);
                return;
            }
            int last = -1;
            for (int i = 0; i < n; i++) {
                if (ctx.needsSignal(i)) {
                    last = i;
                }
            }
            String y = ctx.output(0);
            String taken = null;
            for (int i = 0; i <= last; i++) {
                String xi = ctx.input(i);
                // every input is on the extremum's side of y, so equality is "not strictly beyond"
                String holds = e.op("Not", List.of(e.op(max ? "Less" : "Greater", List.of(xi, y))));
                if (ctx.needsSignal(i)) {
                    String first = taken == null ? holds
                            : e.op("And", List.of(holds, e.op("Not", List.of(taken))));
                    String share = e.mul(g, e.toFloat(first));
                    ctx.send(i, e.unbroadcast(share, out, ctx.shape(xi)));
                }
                if (i < last) {
                    taken = taken == null ? holds : e.op("Or", List.of(taken, holds));
                }
            }
        }
    }

    /** The kept axes in order, then the reduced (ascending) ones. */
    private static long[] keptThenReduced(int rank, long[] axes) {
        List<Long> order = new ArrayList<>();
        for (int k = 0; k < rank; k++) {
            if (!contains(axes, k)) {
                order.add((long) k);
            }
        }
        for (long a : axes) {
            order.add(a);
        }
        return order.stream().mapToLong(Long::longValue).toArray();
    }

    private static boolean contains(long[] values, long v) {
        for (long a : values) {
            if (a == v) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIdentity(long[] perm) {
        for (int k = 0; k < perm.length; k++) {
            if (perm[k] != k) {
                return false;
            }
        }
        return true;
    }

    private static long[] inverse(long[] perm) {
        long[] inv = new long[perm.length];
        for (int k = 0; k < perm.length; k++) {
            inv[(int) perm[k]] = k;
        }
        return inv;
    }
}
