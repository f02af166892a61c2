package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.passes.PassSelection;
import io.dnnvis.trace.backward.rules.RuleSet;
import static io.dnnvis.trace.backward.BackwardTestSupport.assertCloseToScale;
import static io.dnnvis.trace.backward.BackwardTestSupport.count;
import static io.dnnvis.trace.backward.BackwardTestSupport.maxAbs;
import static io.dnnvis.trace.backward.BackwardTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import io.dnnvis.trace.backward.rules.ReluRule;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Starting the backward pass at a Conv target from the selected channel alone (a gathered weight
 * slice and a batched MatMul) gives what the transposed convolution of the whole, mostly zero,
 * start signal gives, on reference models; selections that span several channels take the whole
 * graph. The adjoint of the one-channel start is checked against finite differences in
 * {@link RuleAdjointTest#adjointFromOneChannel}. The engines here run every pass, whatever
 * {@code dnnvis.passes} says: the one-channel start is a pass.
 */
class ChannelStartTest {

    private static final RuleSet DESALINET = RuleSet.exact().with("Relu", ReluRule.DESALINET).named("desalinet");

    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of("lenet", "conv2", true),
                Arguments.of("alexnet-mini", "conv3", true),
                // grouped convolution: the whole graph
                Arguments.of("alexnet-mini", "conv4", false),
                // not a Conv
                Arguments.of("resnet-mini", "relu5", false));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targets")
    void oneChannelStartEqualsTheWholeStart(String modelName, String layer, boolean startsFromChannel) {
        Target t = Target.of(modelName, layer);
        TensorValue input = t.input();
        String target = t.tensor();
        try (BackwardEngine fast = BackwardEngine.open(t.model(), EngineOptions.defaults(), PassSelection.ALL);
                BackwardEngine whole = BackwardEngine.open(t.model(), EngineOptions.defaults(),
                        PassSelection.ALL.without("channel-start"))) {
            long[] shape = fast.shapes(target, input.shape()).get(target);
            Random rnd = new Random(7);
            int plane = (int) (count(shape) / shape[1]);
            List<float[]> selections = new ArrayList<>();
            for (int c : new int[] {0, (int) shape[1] - 1, 3}) {
                float[] mask = new float[(int) count(shape)];
                Arrays.fill(mask, c * plane, (c + 1) * plane, 1f);
                selections.add(mask);
            }
            float[] position = new float[(int) count(shape)];
            position[5 * plane + rnd.nextInt(plane)] = 1f;
            selections.add(position);
            selections.add(new float[(int) count(shape)]);
            for (StartSignal start : StartSignal.values()) {
                BackwardSpec spec = new BackwardSpec(target, DESALINET, start, false);
                CompiledBackward graph = fast.compile(spec, input.shape(), true, false);
                assertThat(graph.startsFromChannel()).isEqualTo(startsFromChannel);
                // a one-channel graph computes the selected channels, not the target
                boolean computesTarget = graph.model().getGraph().getNodeList().stream()
                        .anyMatch(n -> n.getOutputList().contains(target));
                assertThat(computesTarget).as("the graph computes the target").isEqualTo(!startsFromChannel);
                assertThat(graph.targetOutput()).isEqualTo(startsFromChannel ? "" : target);
                BackwardResult a = fast.run(spec, input, selections);
                BackwardResult b = whole.run(spec, input, selections);
                List<float[]> got = rows(a.reconstruction(), selections.size());
                List<float[]> want = rows(b.reconstruction(), selections.size());
                for (int k = 0; k < selections.size() - 1; k++) {
                    assertThat(maxAbs(want.get(k))).as("selection %d reaches the input", k).isGreaterThan(0);
                    assertCloseToScale(got.get(k), want.get(k), modelName + " " + layer + " " + start + " selection " + k);
                }
                assertThat(maxAbs(got.get(selections.size() - 1))).as("an empty selection").isZero();
                assertThat(a.target().data()).containsExactly(b.target().data());
            }
            assertThat(whole.compile(new BackwardSpec(target, DESALINET,
                    StartSignal.ACTIVATION, false), input.shape(), true, false).startsFromChannel()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targets")
    void aSelectionOverSeveralChannelsTakesTheWholeGraph(String modelName, String layer, boolean startsFromChannel) {
        Target t = Target.of(modelName, layer);
        TensorValue input = t.input();
        String target = t.tensor();
        try (BackwardEngine engine = BackwardEngine.open(t.model(), EngineOptions.defaults(), PassSelection.ALL)) {
            long[] shape = engine.shapes(target, input.shape()).get(target);
            int plane = (int) (count(shape) / shape[1]);
            float[] one = new float[(int) count(shape)];
            float[] two = new float[(int) count(shape)];
            float[] both = new float[(int) count(shape)];
            one[plane + 1] = 1f;
            two[2 * plane + 2] = 1f;
            both[plane + 1] = 1f;
            both[2 * plane + 2] = 1f;
            BackwardSpec spec = new BackwardSpec(target, RuleSet.exact(), StartSignal.ONES, false);
            List<float[]> parts = rows(engine.run(spec, input, List.of(one, two)).reconstruction(), 2);
            // two signals, as above: the graphs for one signal are not what this counts
            float[] sum = rows(engine.run(spec, input, List.of(both, both)).reconstruction(), 2).get(0);
            assertThat(engine.compiledCount()).as("one-channel and whole graphs").isEqualTo(startsFromChannel ? 2 : 1);
            float[] expected = new float[sum.length];
            for (int i = 0; i < sum.length; i++) {
                expected[i] = parts.get(0)[i] + parts.get(1)[i];
            }
            // the gradient is linear in the start signal: two channels at once are the sum of each
            assertCloseToScale(sum, expected, modelName + " " + layer + " two channels");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targets")
    void channelSelectionsGiveWhatTheirMasksGive(String modelName, String layer, boolean startsFromChannel) {
        Target t = Target.of(modelName, layer);
        TensorValue input = t.input();
        try (BackwardEngine engine = BackwardEngine.open(t.model(), EngineOptions.defaults(), PassSelection.ALL)) {
            long[] shape = engine.shapes(t.tensor(), input.shape()).get(t.tensor());
            int map = (int) (count(shape) / shape[1]);
            long[] channels = {2, 0, shape[1] - 1};
            float[] values = new float[channels.length * map];
            Random rnd = new Random(11);
            for (int i = 0; i < values.length; i++) {
                values[i] = rnd.nextInt(3);
            }
            List<float[]> masks = new ArrayList<>();
            for (int b = 0; b < channels.length; b++) {
                float[] mask = new float[(int) count(shape)];
                System.arraycopy(values, b * map, mask, (int) channels[b] * map, map);
                masks.add(mask);
            }
            ChannelSelections selections = new ChannelSelections(channels, values);
            assertThat(selections).isEqualTo(new ChannelSelections(selections.channels(), selections.values()))
                    .hasSameHashCodeAs(new ChannelSelections(channels.clone(), values.clone()))
                    .isNotEqualTo(new ChannelSelections(new long[] {2, 0, 1}, values));
            for (boolean signals : new boolean[] {false, true}) {
                BackwardSpec spec = new BackwardSpec(t.tensor(), DESALINET, StartSignal.ACTIVATION,
                        signals);
                BackwardResult byChannel = engine.run(spec, input, selections);
                BackwardResult byMask = engine.run(spec, input, masks);
                List<float[]> got = rows(byChannel.reconstruction(), channels.length);
                List<float[]> want = rows(byMask.reconstruction(), channels.length);
                for (int b = 0; b < channels.length; b++) {
                    assertThat(got.get(b)).as("selection %d, signals %s", b, signals).containsExactly(want.get(b));
                }
                assertThat(byChannel.signals().keySet()).isEqualTo(byMask.signals().keySet());
            }
            BackwardSpec spec = new BackwardSpec(t.tensor(), DESALINET, StartSignal.ONES, false);
            assertThatThrownBy(() -> engine.run(spec, input, new ChannelSelections(new long[] {shape[1]},
                    new float[map]))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel");
            assertThatThrownBy(() -> engine.run(spec, input, new ChannelSelections(new long[] {0},
                    new float[map + 1]))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("values");
        }
    }

    @Test
    void theTargetLeftOutOfTheGraphIsComputedWhenFirstAskedWhileTheEngineIsOpen() {
        Target t = Target.of("alexnet-mini", "conv3");
        TensorValue input = t.input();
        BackwardSpec spec = new BackwardSpec(t.tensor(), DESALINET, StartSignal.ACTIVATION, false);
        BackwardResult asked;
        BackwardResult notAsked;
        TensorValue expected;
        try (BackwardEngine engine = BackwardEngine.open(t.model(), EngineOptions.defaults(), PassSelection.ALL);
                Tracer tracer = Tracer.open(t.model())) {
            expected = tracer.trace(input, List.of(t.tensor())).get(t.tensor());
            long[] shape = engine.shapes(t.tensor(), input.shape()).get(t.tensor());
            float[] mask = new float[(int) count(shape)];
            Arrays.fill(mask, 0, (int) (count(shape) / shape[1]), 1f);
            asked = engine.run(spec, input, List.of(mask));
            notAsked = engine.run(spec, input, List.of(mask));
            assertThat(engine.compile(spec, input.shape(), true, false).targetOutput()).isEmpty();
            assertThat(asked.target().data()).containsExactly(expected.data());
        }
        assertThat(asked.target()).as("computed once, kept").isSameAs(asked.target());
        assertThat(asked.target().shape()).containsExactly(expected.shape());
        assertThatThrownBy(notAsked::target)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("engine is closed");
    }

    @Test
    void targetsLeftOutAreComputedRightFromSeveralThreadsAtOnce() throws Exception {
        Target t = Target.of("alexnet-mini", "conv3");
        TensorValue input = t.input();
        BackwardSpec spec = new BackwardSpec(t.tensor(), DESALINET, StartSignal.ACTIVATION, false);
        try (BackwardEngine engine = BackwardEngine.open(t.model(), EngineOptions.defaults(), PassSelection.ALL);
                Tracer tracer = Tracer.open(t.model())) {
            float[] expected = tracer.trace(input, List.of(t.tensor())).get(t.tensor()).data();
            long[] shape = engine.shapes(t.tensor(), input.shape()).get(t.tensor());
            int map = (int) (count(shape) / shape[1]);
            List<BackwardResult> results = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                float[] values = new float[map];
                Arrays.fill(values, 1f);
                results.add(engine.run(spec, input, new ChannelSelections(new long[] {k}, values)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<TensorValue>> asked = new ArrayList<>();
                for (BackwardResult r : results) {
                    asked.add(pool.submit(r::target));
                }
                for (Future<TensorValue> f : asked) {
                    assertThat(f.get().data()).containsExactly(expected);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    /** A reference model, its reference input and the tensor of one of its layers. */
    private record Target(OnnxModel model, TensorValue input, String tensor) {
        static Target of(String modelName, String layer) {
            OnnxModel model = OnnxModel.load(TestData.referenceModel(modelName));
            return new Target(model, Npy.read(TestData.referenceInput(modelName), "x"),
                    model.graph().layer(layer).tensor());
        }
    }
}
