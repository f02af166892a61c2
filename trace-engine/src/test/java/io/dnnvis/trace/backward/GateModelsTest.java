package io.dnnvis.trace.backward;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate rules on PyTorch's own exports ({@code testdata/gates}, made by
 * {@code testdata/scripts/make_gate_models.py}): a chain of convolutions each followed by ReLU6, SiLU, GELU,
 * Hardswish, LeakyReLU, PReLU or ReLU, at opsets 13 (Hardswish as {@code x * HardSigmoid(x)}) and 17 (the
 * HardSwish op). Each gate, started at its output with signed signals, must send {@code g'(z) max(R, 0)}
 * (guided) or {@code max(R, 0)} (DeconvNet) to its input z, g' computed here from z; the composites must be
 * recognised: nothing reaches the nodes inside them.
 */
class GateModelsTest {

    static Stream<Arguments> gates() {
        return Stream.of(13, 17).flatMap(opset -> Stream.of("relu6", "silu", "gelu", "hardswish", "leaky", "prelu",
                "relu").map(gate -> Arguments.of(opset, gate)));
    }

    @ParameterizedTest(name = "opset {0} {1}")
    @MethodSource("gates")
    void eachGateSendsTheGuidedAndDeconvNetSignal(int opset, String gate) {
        OnnxModel model = OnnxModel.load(TestData.file("gates/gate_chain_op" + opset + ".onnx"));
        List<Node> nodes = model.graph().nodes();
        int at = indexOf(nodes, "/" + gate + "/");
        String z = nodes.get(at - 1).output();
        assertThat(nodes.get(at - 1).opType()).isEqualTo("Conv");
        List<Node> inside = nodes.stream().filter(n -> n.name().startsWith("/" + gate + "/")).toList();
        String y = inside.get(inside.size() - 1).output();
        float[] slopes = model.graph().initializers().values().stream().filter(t -> t.dims().length == 3)
                .findFirst().orElseThrow().toFloatArray();
        TensorValue input = input(model);
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            float[] zs = engine.tracer().trace(input, List.of(z)).get(z).data();
            float[] r = signal(zs.length);
            int plane = zs.length / 4;
            for (RuleSet rules : List.of(GateRulesTest.GUIDED, GateRulesTest.DECONVNET)) {
                BackwardResult result = engine.run(new BackwardSpec(y, List.of(z), rules, StartSignal.ONES, true),
                        input, List.of(r));
                double[] expected = new double[zs.length];
                for (int i = 0; i < zs.length; i++) {
                    double d = rules == GateRulesTest.GUIDED ? derivative(gate, zs[i], slopes[i / plane]) : 1;
                    expected[i] = d * Math.max(r[i], 0);
                }
                GateRulesTest.assertClose(result.reconstruction().data(), expected);
                Map<String, TensorValue> reached = result.signals();
                for (Node n : inside.subList(0, inside.size() - 1)) {
                    assertThat(reached).as("signal inside the gate at %s", n.name()).doesNotContainKey(n.output());
                }
            }
        }
    }

    /** g'(z) as PyTorch's modules define it (ReLU6 as the exported Clip: 1 on [0, 6]). */
    static double derivative(String gate, double z, float slope) {
        return switch (gate) {
            case "relu6" -> z >= 0 && z <= 6 ? 1 : 0;
            case "silu" -> GateRulesTest.silu(z, 0);
            case "gelu" -> GateRulesTest.gelu(z, 0);
            case "hardswish" -> GateRulesTest.hardSwish(z, 0);
            case "leaky" -> z > 0 ? 1 : 0.1f;
            case "prelu" -> z > 0 ? 1 : slope;
            case "relu" -> z > 0 ? 1 : 0;
            default -> throw new IllegalArgumentException(gate);
        };
    }

    static int indexOf(List<Node> nodes, String prefix) {
        for (int k = 0; k < nodes.size(); k++) {
            if (nodes.get(k).name().startsWith(prefix)) {
                return k;
            }
        }
        throw new AssertionError("no node named " + prefix + "...");
    }

    static TensorValue input(OnnxModel model) {
        Random rnd = new Random(19);
        float[] v = new float[3 * 8 * 8];
        for (int k = 0; k < v.length; k++) {
            v[k] = -3 + 6 * rnd.nextFloat();
        }
        return TensorValue.owning(model.graph().inputs().get(0).name(), new long[] {1, 3, 8, 8}, v);
    }

    static float[] signal(int n) {
        Random rnd = new Random(23);
        float[] r = new float[n];
        for (int k = 0; k < n; k++) {
            r[k] = -1 + 2 * rnd.nextFloat();
        }
        return r;
    }
}
