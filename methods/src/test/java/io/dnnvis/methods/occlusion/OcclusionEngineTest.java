package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.Target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The occlusion engine: requests as values, one truncated session per watched tensor, threads, closing. */
class OcclusionEngineTest {

    private static OnnxModel model;
    private static TensorValue input;
    private static BackwardEngine shapes;

    @BeforeAll
    static void load() {
        model = OnnxModel.load(TestData.referenceModel("lenet"));
        input = Npy.read(TestData.referenceInput("lenet"), "input");
        shapes = BackwardEngine.open(model, EngineOptions.defaults());
    }

    @AfterAll
    static void closeShapes() {
        shapes.close();
    }

    private static OcclusionEngine open() {
        return OcclusionEngine.open(model, EngineOptions.defaults(), shapes::shapes);
    }

    private static OcclusionRequest layer(String layer, int window, int stride) {
        return new OcclusionRequest(Optional.of(layer), window, stride, Fill.mean(), Optional.empty(), 0);
    }

    /** Four requests watching three tensors: conv2 (twice), conv1 and the model output. */
    private static List<OcclusionRequest> mixed() {
        return List.of(
                layer("conv2", 5, 4),
                new OcclusionRequest(Optional.of("conv2"), 7, 3, Fill.zero(), Optional.of(Target.neuron(5, 4, 6)), 3),
                layer("conv1", 9, 8),
                new OcclusionRequest(Optional.empty(), 5, 4, Fill.channelMean(), Optional.of(Target.classIndex(3)), 0));
    }

    @Test
    void aRequestChecksItsOwnFields() {
        assertRefused(() -> layer("conv2", 4, 2), "window must be odd and positive, got 4");
        assertRefused(() -> layer("conv2", -3, 2), "window must be odd and positive, got -3");
        assertRefused(() -> layer("conv2", 5, 0), "stride must be positive, got 0");
        assertRefused(() -> new OcclusionRequest(Optional.of("conv2"), 5, 2, Fill.mean(), Optional.empty(), -1),
                "batch must be positive (or 0 for automatic), got -1");
        assertRefused(() -> new OcclusionRequest(Optional.empty(), 5, 2, Fill.mean(), Optional.empty(), 0),
                "no layer given");
        assertRefused(() -> new OcclusionRequest(Optional.empty(), 5, 2, Fill.mean(),
                Optional.of(Target.neuron(1)), 0), "no layer given");
        OcclusionRequest classTarget = new OcclusionRequest(Optional.empty(), 5, 2, Fill.zero(),
                Optional.of(Target.classLabel("cat")), 8);
        assertThat(classTarget.isScoreOcclusion()).isTrue();
        assertThat(classTarget).hasToString("occlusion(class:cat, window 5, stride 2, fill zero, batch 8)");
        assertThat(layer("conv2", 5, 2)).hasToString("occlusion(layer conv2, window 5, stride 2, fill mean)")
                .isEqualTo(layer("conv2", 5, 2)).isNotEqualTo(layer("conv2", 5, 4));
    }

    @Test
    void theBuilderMakesTheValueTheEngineRuns() {
        try (OcclusionEngine engine = open()) {
            OcclusionBuilder built = engine.builder().layer("conv2").window(7).stride(3).fill(Fill.zero())
                    .target(Target.neuron(5, 4, 6)).batch(3);
            assertThat(built.request()).isEqualTo(mixed().get(1));
            OcclusionResult fromBuilder = built.run(input);
            OcclusionResult fromValue = engine.run(mixed().get(1), input);
            assertThat(fromValue.request()).isEqualTo(mixed().get(1));
            assertThat(fromValue.tensor()).isEqualTo(fromBuilder.tensor());
            assertThat(fromValue.batch()).isEqualTo(3);
        }
    }

    @Test
    void oneTruncatedSessionServesEveryRunWatchingTheSameTensor() {
        try (OcclusionEngine engine = open()) {
            OcclusionResult first = engine.run(layer("conv2", 5, 4), input);
            assertThat(engine.openedForwards()).isEqualTo(1);
            OcclusionResult again = engine.run(layer("conv2", 5, 4), input);
            engine.run(mixed().get(1), input);
            engine.batchPlan(layer("conv2", 9, 8), input);
            assertThat(engine.layerShape(layer("conv2", 3, 3), input)).containsExactly(1, 16, 10, 10);
            assertThat(engine.openedForwards()).as("conv2 runs, plans and shapes").isEqualTo(1);
            assertThat(again.tensor()).isEqualTo(first.tensor());
            assertThat(io.dnnvis.testdata.Tolerance.norm(first.tensor().data())).isPositive();
            engine.run(layer("conv1", 9, 8), input);
            assertThat(engine.openedForwards()).as("another tensor, another session").isEqualTo(2);
        }
    }

    @Test
    void resultsHoldTheirValuesAfterTheEngineIsClosed() {
        OcclusionResult r;
        OcclusionEngine engine = open();
        try (engine) {
            r = engine.run(layer("conv2", 5, 4), input);
        }
        float[] values = r.tensor().data();
        assertThat(r.values().shape()).containsExactly(16, 8, 8);
        assertThat(r.values().getFloat(3, 2, 1)).isEqualTo(values[(3 * 8 + 2) * 8 + 1]);
        assertThat(r.map(3).values()).containsExactly(java.util.Arrays.copyOfRange(values, 3 * 64, 4 * 64));
        assertThat(r.strongestChannels(2)).hasSize(2);
        assertThat(r.layer().alias()).isEqualTo("conv2");
        assertThatThrownBy(() -> engine.run(layer("conv2", 5, 4), input)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void fourThreadsOnAColdEngineGetTheSequentialResultsAndOpenEachSessionOnce() throws Exception {
        List<OcclusionRequest> requests = mixed();
        List<TensorValue> sequential = new ArrayList<>();
        try (OcclusionEngine engine = open()) {
            for (OcclusionRequest r : requests) {
                sequential.add(engine.run(r, input).tensor());
            }
        }
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (OcclusionEngine cold = open()) {
            CyclicBarrier together = new CyclicBarrier(threads);
            List<Future<List<TensorValue>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int shift = t;
                futures.add(pool.submit(() -> {
                    together.await();
                    List<TensorValue> out = new ArrayList<>(requests.size());
                    for (int k = 0; k < requests.size(); k++) {
                        out.add(null);
                    }
                    for (int k = 0; k < requests.size(); k++) {
                        int which = (k + shift) % requests.size(); // each thread starts on another request
                        out.set(which, cold.run(requests.get(which), input).tensor());
                    }
                    return out;
                }));
            }
            for (Future<List<TensorValue>> f : futures) {
                List<TensorValue> got = f.get(120, TimeUnit.SECONDS);
                for (int k = 0; k < requests.size(); k++) {
                    assertThat(got.get(k).data()).as("request %d", k).containsExactly(sequential.get(k).data());
                }
            }
            assertThat(cold.openedForwards()).as("conv2, conv1 and the output, once each").isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theEngineChecksTheRequestAgainstTheModel() {
        try (OcclusionEngine engine = open()) {
            assertThatThrownBy(() -> engine.batchPlan(
                    new OcclusionRequest(Optional.of("conv2"), 5, 4, Fill.mean(), Optional.of(Target.neuron(16)), 0),
                    input)).isInstanceOf(BadRequestException.class)
                    .hasMessage("neuron 16 does not exist in layer 'conv2' (channels 0..15)");
            assertThatThrownBy(() -> engine.layerShape(layer("conv2", 5, 4),
                    TensorValue.zeros("input", new long[] {1, 3, 16, 16}))).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("input shape [1, 3, 16, 16] does not fit the model's input");
            assertThat(engine.openedForwards()).as("refused before any session").isZero();
        }
    }

    private static void assertRefused(Runnable make, String message) {
        assertThatThrownBy(make::run).isInstanceOf(BadRequestException.class).hasMessage(message);
    }
}
