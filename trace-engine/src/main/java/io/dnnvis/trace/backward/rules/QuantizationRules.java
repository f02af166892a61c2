package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.List;
import java.util.Optional;

/**
 * The QDQ pair of a quantized model, {@code y = DequantizeLinear(QuantizeLinear(x))}: rounding has
 * no useful derivative, so the pair is differentiated as the straight-through estimator of
 * quantization-aware training (PyTorch's fake-quantization gradient): the identity where the
 * quantization does not saturate, {@code qmin <= round(x / scale) + zp <= qmax} for the quantized
 * type's {@code [qmin, qmax]}, and zero where it does. That is
 * {@code qmin - zp - 1/2 <= x / scale <= qmax - zp + 1/2}, compared on {@code x / scale} (the
 * half-step ends count as inside whichever way their tie rounds). Each op gets its share:
 * <ul>
 *   <li>{@link Quantize}: {@code q = saturate(round(x / scale) + zp)} is taken as
 *       {@code x / scale + zp} where it does not saturate and constant where it does, so the signal
 *       at {@code q} goes to {@code x} times {@code 1 / scale} there and 0 elsewhere;</li>
 *   <li>{@link Dequantize}: {@code y = (q - zp)·scale} is linear in {@code q} (the integer tensor
 *       taken as real-valued), so the signal goes to {@code q} times {@code scale}.</li>
 * </ul>
 * Through the pair the signal is thus multiplied by {@code scale · (1 / scale)} (1 up to one
 * rounding) where the quantization does not saturate and by 0 where it does. A DequantizeLinear of constant weights is not on
 * the signal path and needs no rule. Scales and zero points must be constants; per-tensor and
 * per-axis ({@code axis}, opset 13+) quantization are supported, blocked quantization (opset 21
 * {@code block_size}) and float8 or 4-bit types are refused.
 */
final class QuantizationRules {

    private QuantizationRules() {
    }

    /** QuantizeLinear: the straight-through part, signal × (1 / scale) where it does not saturate, else 0. */
    static final class Quantize implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            Parameters p = Parameters.of(ctx);
            long[] range = range(ctx, p.zeroPointType(ctx));
            int n = p.scale().length;
            float[] lo = new float[n];
            float[] hi = new float[n];
            float[] inverse = new float[n];
            for (int k = 0; k < n; k++) {
                double zp = p.zeroPoint()[k];
                // round(x / scale) + zp within [qmin, qmax] <=> x / scale within [qmin - zp - 0.5, qmax - zp + 0.5]
                lo[k] = (float) (range[0] - zp - 0.5);
                hi[k] = (float) (range[1] - zp + 0.5);
                inverse[k] = 1f / p.scale()[k];
            }
            GraphEmitter e = ctx.emit();
            String steps = e.op("Div", List.of(ctx.input(0), p.broadcast(e, p.scale())));
            String below = e.op("Less", List.of(steps, p.broadcast(e, lo)));
            String above = e.op("Greater", List.of(steps, p.broadcast(e, hi)));
            String inside = e.op("Not", List.of(e.op("Or", List.of(below, above))));
            String factor = e.op("Where", List.of(inside, p.broadcast(e, inverse), e.scalar(0f)));
            ctx.send(0, e.mul(ctx.signal(0).orElseThrow(), factor));
        }

        /** {@code [qmin, qmax]} of the quantized type. */
        private static long[] range(RuleContext ctx, DataType type) {
            return switch (type) {
                case UINT8 -> new long[] {0, 255};
                case INT8 -> new long[] {-128, 127};
                case UINT16 -> new long[] {0, 65535};
                case INT16 -> new long[] {-32768, 32767};
                default -> throw ctx.unsupported("quantization to " + type.name().toLowerCase(java.util.Locale.ROOT)
                        + " (uint8, int8, uint16 and int16 are supported)");
            };
        }
    }

    /** DequantizeLinear: linear in its integer input, signal × scale. */
    static final class Dequantize implements BackwardRule {
        @Override
        public void backward(RuleContext ctx) {
            Parameters p = Parameters.of(ctx);
            GraphEmitter e = ctx.emit();
            ctx.send(0, e.mul(ctx.signal(0).orElseThrow(), p.broadcast(e, p.scale())));
        }
    }

    /**
     * The constant scale and zero point of a Quantize/DequantizeLinear node, one value per tensor
     * or per slice along {@code axis}.
     *
     * @param rank the rank of the node's input 0
     * @param axis the quantized axis, or -1 for per-tensor values
     * @param zeroPointTensor the zero point as stored, if the node has one
     */
    private record Parameters(int rank, int axis, float[] scale, long[] zeroPoint, Optional<Tensor> zeroPointTensor) {

        static Parameters of(RuleContext ctx) {
            for (int i = 1; i <= 2; i++) {
                if (ctx.needsSignal(i)) {
                    throw ctx.unsupported("signal through the quantization scale or zero point");
                }
            }
            if (ctx.node().intAttribute("block_size", 0) != 0) {
                throw ctx.unsupported("blocked quantization (block_size)");
            }
            int rank = ctx.shape(ctx.input(0)).length;
            float[] scale = ctx.constant(ctx.input(1)).map(Tensor::toFloatArray)
                    .orElseThrow(() -> ctx.unsupported("the quantization scale is not a constant"));
            Optional<Tensor> zpTensor = ctx.input(2).isEmpty() ? Optional.empty() : Optional.of(ctx.constant(
                    ctx.input(2)).orElseThrow(() -> ctx.unsupported("the quantization zero point is not a constant")));
            long[] zp = new long[scale.length];
            zpTensor.ifPresent(t -> {
                if (!t.type().isSupportedNumeric() || t.type().isFloatingPoint()) {
                    throw ctx.unsupported("quantization to " + t.type().name().toLowerCase(java.util.Locale.ROOT));
                }
                long[] v = t.toLongArray();
                for (int k = 0; k < zp.length; k++) {
                    zp[k] = v.length == 1 ? v[0] : v[k];
                }
            });
            int axis = -1;
            if (scale.length > 1) {
                long a = ctx.node().intAttribute("axis", 1);
                axis = (int) (a < 0 ? a + rank : a);
                if (axis < 0 || axis >= rank || ctx.shape(ctx.input(0))[axis] != scale.length) {
                    throw ctx.unsupported("per-axis scale of " + scale.length + " values along axis " + a);
                }
            }
            return new Parameters(rank, axis, scale, zp, zpTensor);
        }

        /** The quantized type: the zero point's, else {@code output_dtype} (opset 21+), else uint8. */
        DataType zeroPointType(RuleContext ctx) {
            if (zeroPointTensor.isPresent()) {
                return zeroPointTensor.get().type();
            }
            long code = ctx.node().intAttribute("output_dtype", 0);
            return code == 0 ? DataType.UINT8 : DataType.fromCode((int) code)
                    .orElseThrow(() -> ctx.unsupported("output_dtype " + code));
        }

        /** {@code values} (one per tensor or per slice) as a constant broadcasting against input 0. */
        String broadcast(GraphEmitter e, float[] values) {
            if (axis < 0) {
                return e.scalar(values[0]);
            }
            long[] dims = new long[rank - axis];
            java.util.Arrays.fill(dims, 1);
            dims[0] = values.length;
            return e.constant(dims, values);
        }
    }
}
