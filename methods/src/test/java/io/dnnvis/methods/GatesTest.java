package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.Target;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.GateRules;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Gates}: with RELU every method keeps the rule set it has always had (the same value, so the same
 * compiled graphs); with ALL DeSaliNet and DeconvNet take the gate rules, SaliNet stays the gradient; on a
 * ReLU-only model (GlyphNet) ALL changes nothing; on PyTorch's gate chain it changes DeSaliNet and DeconvNet.
 */
class GatesTest {

    @Test
    void gatesParseByName() {
        assertThat(Gates.parse("relu")).isEqualTo(Gates.RELU);
        assertThat(Gates.parse(" ALL ")).isEqualTo(Gates.ALL);
        assertThat(Gates.ALL.label()).isEqualTo("all");
        assertThatThrownBy(() -> Gates.parse("some")).isInstanceOf(BadRequestException.class)
                .hasMessage("unknown gates 'some' (relu or all)");
    }

    @Test
    void reluGatesAreEachMethodsOwnRuleSet() {
        for (BackwardMethod m : BackwardMethod.values()) {
            assertThat(m.rules(Gates.RELU)).as(m.title()).isSameAs(m.rules());
        }
        assertThat(BackwardMethod.SALINET.rules(Gates.ALL)).isSameAs(SaliNet.RULES);
        assertThat(BackwardMethod.DESALINET.rules(Gates.ALL))
                .isEqualTo(GateRules.guided(DeSaliNet.RULES).named("desalinet+gates")).isNotEqualTo(DeSaliNet.RULES);
        assertThat(BackwardMethod.DECONVNET.rules(Gates.ALL))
                .isEqualTo(GateRules.deconvnet(DeconvNet.RULES).named("deconvnet+gates")).isNotEqualTo(DeconvNet.RULES);
        assertThat(BackwardMethod.DESALINET.rules(Gates.ALL).rule("LRN")).isEqualTo(DeSaliNet.RULES.rule("LRN"));
    }

    @Test
    void requestsDefaultToReluGates() {
        try (Visualizer vis = Visualizer.open(TestData.glyphNet())) {
            BackwardRequest plain = vis.desalinet().layer("conv4").neurons(3).request();
            assertThat(plain.gates()).isEqualTo(Gates.RELU);
            BackwardRequest all = vis.desalinet().layer("conv4").neurons(3).gates(Gates.ALL).request();
            assertThat(all).isEqualTo(plain.withGates(Gates.ALL)).isNotEqualTo(plain);
            assertThat(all.toString()).endsWith(", gates all)");
            assertThat(plain.toString()).doesNotContain("gates");
        }
        TargetRequest target = TargetRequest.of(BackwardMethod.DECONVNET, Target.parse("class:R"));
        assertThat(target.gates()).isEqualTo(Gates.RELU);
        assertThat(target.withGates(Gates.ALL).gates()).isEqualTo(Gates.ALL);
        assertThat(target.withGates(Gates.ALL).withStart(target.start()).gates()).isEqualTo(Gates.ALL);
    }

    @Test
    void onAReluOnlyModelAllGatesChangeNothing() {
        TensorValue input = Npy.read(TestData.file("inputs/glyph-R.npy"), "input");
        try (Visualizer vis = Visualizer.open(TestData.glyphNet())) {
            for (BackwardMethod m : BackwardMethod.values()) {
                float[] relu = vis.method(m).layer("conv4").neurons(3, 7).run(input).tensor().data();
                float[] all = vis.method(m).layer("conv4").neurons(3, 7).gates(Gates.ALL).run(input).tensor().data();
                assertThat(all).as(m.title()).containsExactly(relu);
                assertThat(maxAbs(relu)).as(m.title()).isGreaterThan(0);
                TargetRequest target = TargetRequest.of(m, Target.parse("class:R"));
                assertThat(vis.run(target.withGates(Gates.ALL), input).tensor().data()).as(m.title() + " target")
                        .containsExactly(vis.run(target, input).tensor().data());
            }
        }
    }

    @Test
    void onAModelWithOtherGatesAllGatesChangeDeSaliNetAndDeconvNet() {
        float[] v = new float[3 * 8 * 8];
        Random rnd = new Random(1);
        for (int k = 0; k < v.length; k++) {
            v[k] = -3 + 6 * rnd.nextFloat();
        }
        TensorValue input = TensorValue.owning("input", new long[] {1, 3, 8, 8}, v);
        try (Visualizer vis = Visualizer.open(TestData.file("gates/gate_chain_op13.onnx"))) {
            for (BackwardMethod m : BackwardMethod.values()) {
                TargetRequest target = TargetRequest.of(m, Target.parse("neuron:1"), "output");
                float[] relu = vis.run(target, input).tensor().data();
                float[] all = vis.run(target.withGates(Gates.ALL), input).tensor().data();
                if (m == BackwardMethod.SALINET) {
                    assertThat(all).containsExactly(relu);
                } else {
                    assertThat(all).as(m.title()).isNotEqualTo(relu);
                }
            }
        }
    }

    /**
     * The whole chain against PyTorch ({@code testdata/scripts/make_gate_models.py}): every gate under the guided
     * rule (DeSaliNet) or DeconvNet's, with autograd's derivatives; the Conv layers exact.
     */
    @ParameterizedTest(name = "opset {0}")
    @ValueSource(ints = {13, 17})
    void allGatesMatchPyTorchsGuidedBackwardOnItsExport(int opset) {
        TensorValue input = Npy.read(TestData.file("gates/gate_input.npy"), "input");
        try (Visualizer vis = Visualizer.open(TestData.file("gates/gate_chain_op" + opset + ".onnx"))) {
            for (BackwardMethod m : BackwardMethod.values()) {
                float[] expected = Npy.read(TestData.file("gates/expected_" + m.label() + ".npy"), "e").data();
                TargetRequest request = TargetRequest.of(m, Target.parse("neuron:2"), "output");
                float[] all = vis.run(request.withGates(Gates.ALL), input).tensor().data();
                assertThat(Tolerance.relativeError(all, expected)).as(m.title()).isLessThanOrEqualTo(Tolerance.REFERENCE);
                if (m != BackwardMethod.SALINET) {
                    float[] relu = vis.run(request, input).tensor().data();
                    assertThat(Tolerance.relativeError(relu, expected)).as(m.title() + " with Relu gates only")
                            .isGreaterThan(0.05);
                }
            }
        }
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }
}
