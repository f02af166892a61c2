package io.dnnvis.trace.backward;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Ops of models quantized in operator form (integer kernels such as QLinearConv, ONNX's and ONNX
 * Runtime's com.microsoft ones): they have no backward rule, and the refusal says that the same
 * model quantized in QDQ form (QuantizeLinear/DequantizeLinear pairs around float ops) works.
 */
final class QuantizedOperators {

    static final Set<String> OPS = Set.of("QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger",
            "DynamicQuantizeLinear", "QLinearAdd", "QLinearMul", "QLinearGlobalAveragePool", "QLinearAveragePool",
            "QLinearConcat", "QLinearSigmoid", "QLinearLeakyRelu", "QLinearSoftmax", "QLinearReduceMean",
            "QLinearWhere", "QGemm", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "QAttention",
            "DynamicQuantizeLSTM", "QLinearConvTranspose");

    private QuantizedOperators() {
    }

    /** The one-line refusal when any of {@code opTypes} (the ops without a rule) is a quantized operator. */
    static Optional<String> refusal(Collection<String> opTypes) {
        Set<String> found = new TreeSet<>();
        opTypes.stream().filter(OPS::contains).forEach(found::add);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the model is quantized in operator form (" + String.join(", ", found)
                + "); dnnvis works on QDQ-quantized models (QuantizeLinear/DequantizeLinear pairs)");
    }
}
