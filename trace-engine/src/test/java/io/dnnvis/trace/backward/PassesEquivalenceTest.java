package io.dnnvis.trace.backward;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.passes.PassSelection;
import io.dnnvis.trace.backward.passes.Passes;
import io.dnnvis.trace.backward.rules.ReluRule;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every rewrite pass preserves what the graph computes: on the reference models, at layers of every
 * kind, for the three backward nets, one neuron and several, with a position and without, the graph
 * with all passes on, and with each pass alone, gives what the exact graph (all passes off) gives.
 * Every pass must have changed at least one of these graphs, so the comparison is not empty.
 */
class PassesEquivalenceTest {

    private static final Map<String, RuleSet> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put("salinet", RuleSet.exact());
        METHODS.put("deconvnet", RuleSet.exact().with("Relu", ReluRule.DECONVNET).named("deconvnet"));
        METHODS.put("desalinet", RuleSet.exact().with("Relu", ReluRule.DESALINET).named("desalinet"));
    }

    private static final Set<String> APPLIED = new HashSet<>();

    private record Target(String model, String layer) {
    }

    private static final List<Target> TARGETS = List.of(
            new Target("lenet", "conv2"), new Target("lenet", "gemm2"),
            new Target("alexnet-mini", "conv3"), new Target("alexnet-mini", "maxpool3"),
            new Target("resnet-mini", "relu5"));

    @Test
    void allPassesAndEachPassAloneGiveTheExactGraphsValues() {
        for (Target t : TARGETS) {
            OnnxModel model = OnnxModel.load(TestData.referenceModel(t.model()));
            TensorValue input = Npy.read(TestData.referenceInput(t.model()), "x");
            try (BackwardEngine exact = BackwardEngine.open(model, EngineOptions.defaults(), PassSelection.NONE);
                    BackwardEngine all = BackwardEngine.open(model, EngineOptions.defaults(), PassSelection.ALL)) {
                String tensor = model.graph().layer(t.layer()).tensor();
                long[] shape = exact.shapes(tensor, input.shape()).get(tensor);
                List<ChannelSelections> neurons = neurons(shape);
                for (Map.Entry<String, RuleSet> m : METHODS.entrySet()) {
                    for (StartSignal start : StartSignal.values()) {
                        BackwardSpec spec = new BackwardSpec(tensor, m.getValue(), start, false);
                        compare(t, exact, all, spec, input, neurons, m.getKey() + " " + start + " all passes");
                    }
                }
                // each pass alone, on DeSaliNet (every pass applies to some graph of it)
                BackwardSpec spec = new BackwardSpec(tensor, METHODS.get("desalinet"), StartSignal.ACTIVATION, false);
                for (String pass : Passes.names()) {
                    try (BackwardEngine alone = BackwardEngine.open(model, EngineOptions.defaults(),
                            new PassSelection(Set.of(pass)))) {
                        compare(t, exact, alone, spec, input, neurons, "desalinet " + pass + " alone");
                    }
                }
            }
        }
    }

    private static void compare(Target t, BackwardEngine exact, BackwardEngine fast, BackwardSpec spec,
            TensorValue input, List<ChannelSelections> neurons, String what) {
        for (ChannelSelections n : neurons) {
            BackwardResult want = exact.run(spec, input, n);
            BackwardResult got = fast.run(spec, input, n);
            assertClose(got.reconstruction().data(), want.reconstruction().data(),
                    t + " " + what + ", " + n.size() + " neurons");
            assertThat(got.target().data()).as("target of %s", t).containsExactly(want.target().data());
            APPLIED.addAll(fast.compile(spec, input.shape(), true, n.size() == 1).passes());
        }
    }

    @AfterAll
    static void everyPassChangedSomeGraph() {
        assertThat(APPLIED).containsExactlyInAnyOrderElementsOf(Passes.names());
    }

    /** One neuron (a whole map), one at a position, and three whole maps. */
    private static List<ChannelSelections> neurons(long[] shape) {
        int per = 1;
        for (int k = 2; k < shape.length; k++) {
            per *= (int) shape[k];
        }
        float[] whole = new float[per];
        java.util.Arrays.fill(whole, 1f);
        float[] one = new float[per];
        one[per / 2] = 1f;
        float[] three = new float[3 * per];
        java.util.Arrays.fill(three, 1f);
        long last = shape[1] - 1;
        return List.of(new ChannelSelections(new long[] {last}, whole), new ChannelSelections(new long[] {0}, one),
                new ChannelSelections(new long[] {0, last, shape[1] / 2}, three));
    }

    private static void assertClose(float[] got, float[] want, String what) {
        assertThat(got).as(what).hasSameSizeAs(want);
        double scale = 0;
        for (float w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
        }
        assertThat(worst).as("%s: max |fast - exact| against max |exact| %s", what, scale)
                .isLessThanOrEqualTo(1e-5 * Math.max(scale, 1e-30));
    }
}
