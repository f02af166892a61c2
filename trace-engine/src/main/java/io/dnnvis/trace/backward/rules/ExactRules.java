package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.BackwardRule;
import java.util.Map;
import java.util.Set;

/**
 * THE table of backward rules: ONNX op type to the rule that sends a signal back through it as
 * the op's exact vector-Jacobian product. To support a new op, write its rule (one small class
 * implementing {@link BackwardRule}) and add one line here; an adjoint test in
 * {@code RuleAdjointTest} then checks it against ONNX Runtime's forward pass.
 *
 * <p>Methods override a few entries (Relu, LRN) in {@code io.dnnvis.methods}; MaxPool's
 * unpooling variant is the {@link MaxPoolRule} of the rule set ({@link RuleSet#withPooling}).
 */
public final class ExactRules {

    private static final BackwardRule PASS = new PassThroughRule();
    private static final BackwardRule RESHAPE = new ReshapeRule();
    private static final BackwardRule RESIZE = new ResizeRule();

    public static final Map<String, BackwardRule> TABLE = Map.ofEntries(
            Map.entry("Conv", new ConvRule()),
            Map.entry("ConvTranspose", new ConvTransposeRule()),
            Map.entry("Gemm", new GemmRule()),
            Map.entry("MatMul", new MatMulRule()),
            Map.entry("Einsum", new EinsumRule()),
            Map.entry("Relu", ReluRule.GRADIENT),
            Map.entry("LeakyRelu", new ActivationRules.LeakyRelu()),
            Map.entry("PRelu", new ActivationRules.PRelu()),
            Map.entry("Clip", new ActivationRules.Clip()),
            Map.entry("Sigmoid", new ActivationRules.Sigmoid()),
            Map.entry("HardSigmoid", new ActivationRules.HardSigmoid()),
            Map.entry("HardSwish", new ActivationRules.HardSwish()),
            Map.entry("Tanh", new ActivationRules.Tanh()),
            Map.entry("Elu", new ActivationRules.Elu()),
            Map.entry("Selu", new ActivationRules.Selu()),
            Map.entry("Celu", new ActivationRules.Celu()),
            Map.entry("ThresholdedRelu", new ActivationRules.ThresholdedRelu()),
            Map.entry("Softplus", new ActivationRules.Softplus()),
            Map.entry("Softsign", new ActivationRules.Softsign()),
            Map.entry("Mish", new ActivationRules.Mish()),
            Map.entry("Gelu", new ActivationRules.Gelu()),
            Map.entry("Neg", new MathRules.Neg()),
            Map.entry("Abs", new MathRules.Abs()),
            Map.entry("Exp", new MathRules.Exp()),
            Map.entry("Erf", new MathRules.Erf()),
            Map.entry("Log", new MathRules.Log()),
            Map.entry("Sqrt", new MathRules.Sqrt()),
            Map.entry("Reciprocal", new MathRules.Reciprocal()),
            Map.entry("Softmax", new SoftmaxRule()),
            Map.entry("MaxPool", MaxPoolRule.SWITCH),
            Map.entry("AveragePool", new AveragePoolRule()),
            Map.entry("GlobalAveragePool", new GlobalAveragePoolRule()),
            Map.entry("GlobalMaxPool", new GlobalMaxPoolRule()),
            Map.entry("BatchNormalization", new BatchNormalizationRule()),
            Map.entry("InstanceNormalization", new InstanceNormalizationRule()),
            Map.entry("LRN", new LrnRule()),
            Map.entry("Dropout", PASS),
            Map.entry("Identity", PASS),
            Map.entry("Cast", PASS),
            Map.entry("CastLike", PASS),
            Map.entry("Flatten", RESHAPE),
            Map.entry("Reshape", RESHAPE),
            Map.entry("Squeeze", RESHAPE),
            Map.entry("Unsqueeze", RESHAPE),
            Map.entry("Transpose", new TransposeRule()),
            Map.entry("Concat", new ConcatRule()),
            Map.entry("Split", new SplitRule()),
            Map.entry("Slice", new SliceRule()),
            Map.entry("Pad", new PadRule()),
            Map.entry("Add", new ArithmeticRule(ArithmeticRule.Kind.ADD)),
            Map.entry("Sub", new ArithmeticRule(ArithmeticRule.Kind.SUB)),
            Map.entry("Mul", new ArithmeticRule(ArithmeticRule.Kind.MUL)),
            Map.entry("Div", new ArithmeticRule(ArithmeticRule.Kind.DIV)),
            Map.entry("Pow", new PowRule()),
            Map.entry("ReduceMean", new ReduceRule(true)),
            Map.entry("ReduceSum", new ReduceRule(false)),
            Map.entry("Resize", RESIZE),
            Map.entry("Upsample", RESIZE),
            // normalization
            Map.entry("LayerNormalization", new NormalizationRules.LayerNormalization()),
            Map.entry("GroupNormalization", new NormalizationRules.GroupNormalization()),
            // data movement
            Map.entry("Where", new DataMovementRules.Where()),
            Map.entry("Expand", new DataMovementRules.Expand()),
            Map.entry("Tile", new DataMovementRules.Tile()),
            Map.entry("Gather", new DataMovementRules.Gather()),
            Map.entry("GatherElements", new DataMovementRules.GatherElements()),
            Map.entry("DepthToSpace", new DataMovementRules.DepthToSpace()),
            Map.entry("SpaceToDepth", new DataMovementRules.SpaceToDepth()),
            // reductions: ReduceMax/Min, ReduceL2, ReduceSumSquare and the variadic Sum, Mean, Max, Min
            Map.entry("ReduceMax", new ReductionRules.ReduceExtremum(true)),
            Map.entry("ReduceMin", new ReductionRules.ReduceExtremum(false)),
            Map.entry("ReduceL2", new ReductionRules.ReduceL2()),
            Map.entry("ReduceSumSquare", new ReductionRules.ReduceSumSquare()),
            Map.entry("Sum", new ReductionRules.SumOrMean(false)),
            Map.entry("Mean", new ReductionRules.SumOrMean(true)),
            Map.entry("Max", new ReductionRules.Extremum(true)),
            Map.entry("Min", new ReductionRules.Extremum(false)),
            // quantization: the QDQ pair, straight-through inside the representable range
            Map.entry("QuantizeLinear", new QuantizationRules.Quantize()),
            Map.entry("DequantizeLinear", new QuantizationRules.Dequantize()));

    /** Ops whose outputs never carry signal (shapes, indices, comparisons): no rule needed. */
    public static final Set<String> NO_SIGNAL = Set.of("Constant", "Shape", "Size", "ArgMax", "ArgMin", "Equal",
            "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Not", "And", "Or", "Xor", "NonZero",
            "ConstantOfShape", "Range", "EyeLike", "RandomNormal", "RandomUniform", "RandomNormalLike",
            "RandomUniformLike", "IsNaN", "IsInf", "Sign", "Floor", "Ceil", "Round");

    private ExactRules() {
    }
}
