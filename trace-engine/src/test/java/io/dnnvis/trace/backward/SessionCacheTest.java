package io.dnnvis.trace.backward;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.passes.PassSelection;
import io.dnnvis.trace.backward.rules.Pooling;
import io.dnnvis.trace.backward.rules.ReluRule;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The engine's sessions: equal rule sets share one, a bounded engine evicts the least recently used
 * and compiles it again when asked (same values), and threads that start on a cold engine, asking for
 * the same and for different layers at once, get what one thread gets alone.
 */
class SessionCacheTest {

    private static final OnnxModel MODEL = OnnxModel.load(TestData.referenceModel("lenet"));
    private static final TensorValue INPUT = Npy.read(TestData.referenceInput("lenet"), "x");

    private static BackwardSpec spec(String layer, RuleSet rules) {
        return new BackwardSpec(MODEL.graph().layer(layer).tensor(), rules, StartSignal.ACTIVATION, false);
    }

    private static ChannelSelections channel(BackwardEngine engine, String layer, int c) {
        String tensor = MODEL.graph().layer(layer).tensor();
        long[] shape = engine.shapes(tensor, INPUT.shape()).get(tensor);
        float[] map = new float[(int) (shape[2] * shape[3])];
        java.util.Arrays.fill(map, 1f);
        return new ChannelSelections(new long[] {c}, map);
    }

    @Test
    void equalRuleSetsShareASession() {
        try (BackwardEngine engine = BackwardEngine.open(MODEL, EngineOptions.defaults())) {
            engine.run(spec("conv2", RuleSet.exact().with("Relu", ReluRule.DESALINET).named("d")), INPUT,
                    channel(engine, "conv2", 1));
            engine.run(spec("conv2", RuleSet.exact().with("Relu", ReluRule.DESALINET).named("d")), INPUT,
                    channel(engine, "conv2", 2));
            assertThat(engine.compiledCount()).isEqualTo(1);
            assertThat(RuleSet.exact().withPooling(Pooling.SWITCH)).isEqualTo(RuleSet.exact())
                    .hasSameHashCodeAs(RuleSet.exact());
            assertThat(RuleSet.exact().withPooling(Pooling.CENTER)).isNotEqualTo(RuleSet.exact());
        }
    }

    @Test
    void aBoundedEngineEvictsTheLeastRecentlyUsedAndCompilesItAgain() {
        RuleSet exact = RuleSet.exact();
        try (BackwardEngine engine = BackwardEngine.open(MODEL, EngineOptions.defaults(),
                PassSelection.fromSystemProperty(), BackwardEngine.MAX_BATCH, 2)) {
            float[] first = engine.run(spec("conv2", exact), INPUT, channel(engine, "conv2", 3)).reconstruction().data();
            engine.run(spec("conv1", exact), INPUT, channel(engine, "conv1", 0));
            engine.run(spec("relu2", exact), INPUT, channel(engine, "relu2", 0));
            assertThat(engine.compiledCount()).as("at most two sessions kept").isEqualTo(2);
            float[] again = engine.run(spec("conv2", exact), INPUT, channel(engine, "conv2", 3)).reconstruction().data();
            assertThat(again).as("conv2 compiled again after its eviction").containsExactly(first);
            assertThat(engine.compiledCount()).isEqualTo(2);
        }
    }

    @Test
    void threadsOnAColdEngineGetWhatOneThreadGets() throws Exception {
        String[] layers = {"conv2", "conv1", "relu2", "conv1", "conv2", "relu2", "conv1", "conv2"};
        RuleSet rules = RuleSet.exact().with("Relu", ReluRule.DESALINET).named("desalinet");
        List<float[]> alone = new ArrayList<>();
        try (BackwardEngine engine = BackwardEngine.open(MODEL, EngineOptions.defaults())) {
            for (int k = 0; k < layers.length; k++) {
                alone.add(engine.run(spec(layers[k], rules), INPUT, channel(engine, layers[k], k))
                        .reconstruction().data());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (BackwardEngine cold = BackwardEngine.open(MODEL, EngineOptions.defaults())) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<float[]>> results = new ArrayList<>();
            for (int k = 0; k < layers.length; k++) {
                int n = k;
                results.add(pool.submit(() -> {
                    go.await();
                    return cold.run(spec(layers[n], rules), INPUT, channel(cold, layers[n], n)).reconstruction().data();
                }));
            }
            go.countDown();
            for (int k = 0; k < layers.length; k++) {
                assertThat(results.get(k).get()).as("%s neuron %d", layers[k], k).containsExactly(alone.get(k));
            }
            assertThat(cold.compiledCount()).as("one session per layer, however many threads asked").isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }
}
