package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.passes.PassSelection;
import io.dnnvis.trace.backward.rules.RuleSet;
import io.dnnvis.trace.backward.rules.Pooling;
import static io.dnnvis.trace.backward.BackwardTestSupport.count;
import static io.dnnvis.trace.backward.BackwardTestSupport.maxAbs;
import static io.dnnvis.trace.backward.BackwardTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.ReluRule;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several neurons in one run of the compiled backward graph (B start signals) give what one run
 * per neuron gives, on alexnet-mini (LRN, grouped convolutions, overlapping max pooling), and the
 * compiled session is reused across neurons.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchedNeuronsTest {

    private static final int[] CHANNELS = {3, 10, 42};

    private OnnxModel model;
    private TensorValue input;
    private String target;
    private long[] targetShape;
    private BackwardEngine engine;

    @BeforeAll
    void load() {
        model = OnnxModel.load(TestData.referenceModel("alexnet-mini"));
        input = Npy.read(TestData.referenceInput("alexnet-mini"), "x");
        target = model.graph().layer("conv4").tensor();
        engine = BackwardEngine.open(model, EngineOptions.defaults());
        targetShape = engine.shapes(target, input.shape()).get(target);
        assertThat(targetShape).hasSize(4);
        assertThat(targetShape[1]).isGreaterThan(42);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    /** 1 over every position of {@code channel}, 0 elsewhere. */
    private float[] channel(int channel) {
        float[] mask = new float[(int) count(targetShape)];
        int plane = (int) (targetShape[2] * targetShape[3]);
        for (int k = 0; k < plane; k++) {
            mask[channel * plane + k] = 1f;
        }
        return mask;
    }

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of("exact, activation start", RuleSet.exact(), StartSignal.ACTIVATION),
                Arguments.of("exact, ones start", RuleSet.exact(), StartSignal.ONES),
                Arguments.of("deconvnet-like, activation start",
                        RuleSet.exact().with("Relu", ReluRule.DECONVNET).named("deconvnet-like"), StartSignal.ACTIVATION),
                Arguments.of("deconvnet-like (unnamed), ones start",
                        RuleSet.exact().with("Relu", ReluRule.DECONVNET), StartSignal.ONES));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void oneBatchedRunEqualsOneRunPerNeuron(String label, RuleSet rules, StartSignal start) {
        BackwardSpec spec = new BackwardSpec(target, rules, start, false);
        List<float[]> selections = new ArrayList<>();
        for (int c : CHANNELS) {
            selections.add(channel(c));
        }
        BackwardResult batched = engine.run(spec, input, selections);
        long[] inputShape = input.shape();
        assertThat(batched.reconstruction().shape())
                .containsExactly(CHANNELS.length, inputShape[1], inputShape[2], inputShape[3]);
        List<float[]> together = rows(batched.reconstruction(), CHANNELS.length);
        List<float[]> alone = new ArrayList<>();
        for (int k = 0; k < CHANNELS.length; k++) {
            BackwardResult single = engine.run(spec, input, List.of(selections.get(k)));
            assertThat(single.reconstruction().shape())
                    .containsExactly(1, inputShape[1], inputShape[2], inputShape[3]);
            alone.add(single.reconstruction().data());
            float[] a = together.get(k);
            float[] b = single.reconstruction().data();
            double bound = 1e-6 * maxAbs(b);
            assertThat(maxAbs(b)).as("%s: channel %d reaches the input", label, CHANNELS[k]).isGreaterThan(0);
            for (int i = 0; i < a.length; i++) {
                if (Math.abs(a[i] - b[i]) > bound) {
                    throw new AssertionError(label + ", channel " + CHANNELS[k] + ", element " + i + ": batched "
                            + a[i] + " vs single " + b[i] + " (bound " + bound + ")");
                }
            }
            assertThat(batched.target().data()).containsExactly(single.target().data());
        }
        // the three neurons are visualized differently (a batch that repeats one neuron would pass the above)
        assertThat(alone.get(0)).isNotEqualTo(alone.get(1));
        assertThat(alone.get(1)).isNotEqualTo(alone.get(2));
    }

    @Test
    void theSessionIsCompiledOncePerSpec() {
        // with every pass: the scatter unpooling makes the graph for one signal another graph
        try (BackwardEngine fresh = BackwardEngine.open(model, EngineOptions.defaults(), PassSelection.ALL)) {
            BackwardSpec spec = new BackwardSpec(target, RuleSet.exact(), StartSignal.ACTIVATION, false);
            assertThat(fresh.compiledCount()).isZero();
            fresh.run(spec, input, List.of(channel(3)));
            assertThat(fresh.compiledCount()).isEqualTo(1);
            fresh.run(spec, input, List.of(channel(10)));
            assertThat(fresh.compiledCount()).as("another single neuron").isEqualTo(1);
            // alexnet-mini's 3x3 poolings with stride 2 unpool in another form for one signal (ScatterUnpoolingPass)
            fresh.run(spec, input, List.of(channel(42), channel(3)));
            assertThat(fresh.compiledCount()).as("several neurons: the graph made for many").isEqualTo(2);
            fresh.run(spec, input, List.of(channel(0), channel(1), channel(2), channel(5)));
            // an equal spec (same rule set) built anew hits the same session too
            fresh.run(new BackwardSpec(target, spec.rules(), StartSignal.ACTIVATION, false),
                    input, List.of(channel(7)));
            assertThat(fresh.compiledCount()).isEqualTo(2);
            BackwardSpec center = new BackwardSpec(target, RuleSet.exact().withPooling(Pooling.CENTER), StartSignal.ACTIVATION,
                    false);
            fresh.run(center, input, List.of(channel(7)));
            assertThat(fresh.compiledCount()).as("another pooling is another graph").isEqualTo(3);
            fresh.run(center, input, List.of(channel(7), channel(8)));
            assertThat(fresh.compiledCount()).as("centre unpooling: one graph for one neuron and for many")
                    .isEqualTo(3);
        }
    }

    @Test
    void aRuleSetThatKeepsTheExactNameIsNotConfusedWithTheExactOne() {
        try (BackwardEngine fresh = BackwardEngine.open(model, EngineOptions.defaults())) {
            RuleSet deconv = RuleSet.exact().with("Relu", ReluRule.DECONVNET);
            assertThat(deconv.name()).isEqualTo(RuleSet.exact().name());
            float[] exact = fresh.run(new BackwardSpec(target, RuleSet.exact(), StartSignal.ACTIVATION,
                    false), input, List.of(channel(10))).reconstruction().data();
            float[] deconvnet = fresh.run(new BackwardSpec(target, deconv, StartSignal.ACTIVATION,
                    false), input, List.of(channel(10))).reconstruction().data();
            assertThat(deconvnet).isNotEqualTo(exact);
            assertThat(fresh.compiledCount()).isEqualTo(2);
        }
    }

    @Test
    void neuronSetsLargerThanTheBatchLimitRunInPiecesJoinedInOrder() {
        int[] channels = {0, 4, 9, 13, 21};
        List<float[]> selections = new ArrayList<>();
        for (int c : channels) {
            selections.add(channel(c));
        }
        BackwardSpec spec = new BackwardSpec(target, RuleSet.exact(), StartSignal.ACTIVATION, true);
        BackwardResult whole = engine.run(spec, input, selections);
        try (BackwardEngine small = BackwardEngine.open(model, EngineOptions.defaults(), PassSelection.fromSystemProperty(), 2, BackwardEngine.MAX_SESSIONS)) {
            assertThat(small.batchLimit(target, input.shape())).isEqualTo(2);
            BackwardResult pieces = small.run(spec, input, selections);

            assertThat(pieces.reconstruction().shape()).isEqualTo(whole.reconstruction().shape());
            assertClose(pieces.reconstruction(), whole.reconstruction());
            assertThat(pieces.signals().keySet()).isEqualTo(whole.signals().keySet()).isNotEmpty();
            for (String tensor : whole.signals().keySet()) {
                assertThat(pieces.signals().get(tensor).shape()).as(tensor)
                        .isEqualTo(whole.signals().get(tensor).shape());
                assertClose(pieces.signals().get(tensor), whole.signals().get(tensor));
            }
            assertThat(pieces.target().data()).containsExactly(whole.target().data());
        }
    }

    @Test
    void theBatchLimitFollowsTheMemoryEstimate() {
        long per = engine.bytesPerSelection(target, input.shape());
        // every tensor up to the target, as a value and a signal: at least the input and the target
        assertThat(per).isGreaterThanOrEqualTo(2L * Float.BYTES * (count(input.shape()) + count(targetShape)));
        assertThat(engine.batchLimit(target, input.shape()))
                .isEqualTo((int) Math.min(BackwardEngine.MAX_BATCH, BackwardEngine.BATCH_BYTES / per));
    }

    private static void assertClose(TensorValue actual, TensorValue expected) {
        float[] a = actual.data();
        float[] b = expected.data();
        double bound = 1e-6 * Math.max(1e-30, maxAbs(b));
        assertThat(maxAbs(b)).as(expected.name()).isGreaterThan(0);
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > bound) {
                throw new AssertionError(expected.name() + " element " + i + ": " + a[i] + " vs " + b[i]);
            }
        }
    }
}
