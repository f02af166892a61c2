package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Node;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Optional;

/**
 * Identity, Dropout (inference), float-to-float Cast, and CastLike to a float type (its second input
 * gives only the type: it gets no signal): the signal passes unchanged to the first input. A cast
 * to an integer type on the signal path has no gradient to pass: refused.
 */
public final class PassThroughRule implements BackwardRule {

    /** Ops whose outputs are integers or booleans whatever their inputs: shapes, indices, comparisons. */
    private static final java.util.Set<String> NOT_FLOAT = java.util.Set.of("Shape", "Size", "ArgMax", "ArgMin",
            "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Not", "And", "Or", "Xor", "NonZero", "IsNaN",
            "IsInf");

    /** Ops whose second output is indices. */
    private static final java.util.Set<String> INDICES_SECOND = java.util.Set.of("TopK", "MaxPool");

    /** Ops whose output has the type of their first input (data movement, arithmetic, rounding). */
    private static final java.util.Set<String> SAME_TYPE = java.util.Set.of("Identity", "Reshape", "Flatten", "Squeeze",
            "Unsqueeze", "Transpose", "Slice", "Gather", "GatherElements", "Expand", "Tile", "Concat", "Split", "Pad",
            "Add", "Sub", "Mul", "Div", "Mod", "Neg", "Abs", "Max", "Min", "Sum", "Clip", "Relu", "Floor", "Ceil",
            "Round", "Sign", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "CumSum", "Range", "Dropout");

    /** How many nodes are followed back to find the type a CastLike copies. */
    private static final int MAX_STEPS = 64;

    @Override
    public void backward(RuleContext ctx) {
        String op = ctx.node().opType();
        if (op.equals("Cast") && !isFloat(ctx.node().intAttribute("to", 1))) {
            throw ctx.unsupported("Cast to a non-float type on the signal path");
        }
        if (op.equals("CastLike") && !likeFloat(ctx, ctx.input(1))) {
            throw ctx.unsupported("CastLike to a non-float type on the signal path");
        }
        ctx.signal(0).ifPresent(s -> ctx.send(0, s));
    }

    private static boolean isFloat(long to) {
        return DataType.fromCode((int) to).map(DataType::isFloatingPoint).orElse(false);
    }

    /**
     * Whether {@code tensor} (the type a CastLike copies) is of a float type: a constant's type, a
     * Cast's target, a ConstantOfShape's value, another CastLike's model, followed back through ops
     * that keep their input's type; shapes, indices and comparisons are not; a tensor computed
     * otherwise is taken for a float activation.
     */
    private static boolean likeFloat(RuleContext ctx, String tensor) {
        String t = tensor;
        for (int step = 0; step < MAX_STEPS; step++) {
            Optional<io.dnnvis.onnx.Tensor> constant = ctx.constant(t);
            if (constant.isPresent()) {
                return constant.get().type().isFloatingPoint();
            }
            Optional<Node> producer = ctx.producer(t);
            if (producer.isEmpty()) {
                return true;
            }
            Node p = producer.get();
            String op = p.opType();
            if (op.equals("Cast")) {
                return isFloat(p.intAttribute("to", 1));
            }
            if (op.equals("ConstantOfShape")) {
                return p.attribute("value").map(a -> a.asTensor().type().isFloatingPoint()).orElse(true);
            }
            if (NOT_FLOAT.contains(op) || (INDICES_SECOND.contains(op) && !p.output().equals(t))) {
                return false;
            }
            int from = op.equals("CastLike") || op.equals("Where") ? 1 : SAME_TYPE.contains(op) ? 0 : -1;
            if (from < 0 || p.inputs().size() <= from) {
                return true; // computed otherwise: a float activation
            }
            t = p.inputs().get(from);
        }
        return true;
    }
}
