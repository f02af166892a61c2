package io.dnnvis.methods.occlusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Occlusion batches are cut down to what fits in memory and in one Java array. */
class BatchPlanTest {

    private static final long GIB = 1L << 30;

    /**
     * LeNet cut at conv2, per image: input 3x32x32 = 3072, conv1 and relu1 8x28x28 = 6272 each,
     * maxpool1 8x14x14 = 1568, conv2 16x10x10 = 1600 values. ONNX Runtime side: all five, 18784
     * floats; Java side: the occluded image and the copied conv2 values, 4672 floats.
     */
    private static final long LENET_CONV2_BYTES = 4L * (18784 + 4672);

    @Test
    void theBudgetCapsTheBatch() {
        Map<String, long[]> shapes = Map.of("input", new long[] {1, 3, 32, 32}, "a", new long[] {1, 8, 28, 28},
                "conv2", new long[] {1, 16, 10, 10});
        long[] in = {1, 3, 32, 32};
        long[] out = {1, 16, 10, 10};
        BatchPlan big = BatchPlan.of(1_000_000, in, out, shapes, GIB, GIB);
        // 4 * (3072 + 6272 + 1600) native + 4 * (3072 + 1600) Java = 62464 bytes; 1 GiB / 62464 = 17189.8
        assertThat(big.bytesPerImage()).isEqualTo(62464);
        assertThat(big.limit()).isEqualTo(17189);
        assertThat(big.images()).isEqualTo(17189);
        assertThat(big.reduced()).isTrue();
        BatchPlan small = BatchPlan.of(10, in, out, shapes, GIB, GIB);
        assertThat(small.images()).isEqualTo(10);
        assertThat(small.reduced()).isFalse();
        assertThat(BatchPlan.of(0, in, out, shapes, GIB, GIB).images()).isEqualTo(BatchPlan.MAX_DEFAULT_BATCH);
        // the default batch is cut too: 16 images do not fit in 10 of them
        assertThat(BatchPlan.of(0, in, out, shapes, 10 * 62464L, GIB).images()).isEqualTo(10);
        // the Java arrays (4 * 4672 bytes per image) under their own budget
        assertThat(BatchPlan.of(1_000, in, out, shapes, GIB, 100 * 18688L).images()).isEqualTo(100);
        // one image always runs
        assertThat(BatchPlan.of(64, in, out, shapes, 1000, 1000).images()).isEqualTo(1);
    }

    @Test
    void unknownShapesCountTheInputAndTargetTwice() {
        BatchPlan plan = BatchPlan.of(0, new long[] {1, 3, 32, 32}, new long[] {1, 10}, Map.of(), GIB, GIB);
        assertThat(plan.bytesPerImage()).isEqualTo(2L * 4 * (3072 + 10));
    }

    @Test
    void theOccludedBatchArrayStaysUnderIntegerMaxValueElements() {
        // 3 x 4096 x 4096 = 50331648 floats per image: 42 of them fit in one array, 43 do not
        long[] in = {1, 3, 4096, 4096};
        long[] out = {1, 10};
        BatchPlan plan = BatchPlan.of(1_000, in, out, Map.of(), Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
        assertThat(plan.images()).isEqualTo(42);
        assertThat(42L * 50331648).isLessThanOrEqualTo(Integer.MAX_VALUE);
        assertThat(43L * 50331648).isGreaterThan(Integer.MAX_VALUE);
        // the same for a large target
        BatchPlan wide = BatchPlan.of(1_000, new long[] {1, 1, 8, 8}, new long[] {1, 1024, 256, 256}, Map.of(),
                Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
        assertThat(wide.images()).isEqualTo(BatchPlan.MAX_ARRAY / (1024 * 256 * 256));
        assertThat((long) wide.images() * 1024 * 256 * 256).isLessThanOrEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void lenetConv2WithAHugeBatchRunsTheBudgetsWorthAndGivesTheSameResult() {
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        try (Visualizer lenet = Visualizer.open(TestData.referenceModel("lenet"))) {
            OcclusionBuilder request = lenet.occlusion().layer("conv2").window(5).stride(4).memoryCap(1L << 30);
            BatchPlan plan = request.batch(1_000_000).batchPlan(input);
            assertThat(plan.bytesPerImage()).isEqualTo(LENET_CONV2_BYTES);
            // 1 GiB / 93824 bytes (the heap budget, a quarter of the tests' -Xmx4g, allows 57456)
            assertThat(plan.limit()).isEqualTo(11444);
            assertThat(plan.images()).isEqualTo(11444);
            assertThat(plan.reduced()).isTrue();
            List<Integer> done = new ArrayList<>();
            OcclusionResult huge = request.batch(1_000_000).progress((d, total) -> done.add(d)).run(input);
            assertThat(huge.batch()).isEqualTo(11444);
            assertThat(huge.batchPlan()).isEqualTo(plan);
            assertThat(done).containsExactly(0, 64); // the 64 windows in one run
            OcclusionResult five = request.batch(5).run(input);
            assertThat(five.batch()).isEqualTo(5);
            assertThat(five.batchPlan().reduced()).isFalse();
            assertThat(huge.tensor().data()).containsExactly(five.tensor().data());
        }
    }

    @Test
    void aTargetTooLargeForOneJavaArrayIsRefused() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        String conv2 = model.graph().layer("conv2").tensor();
        try (OcclusionEngine engine = OcclusionEngine.open(model, EngineOptions.defaults(),
                (tensor, shape) -> Map.of(tensor, new long[] {1, 64, 8192, 8192}))) {
            OcclusionBuilder request = engine.builder().layer("conv2").window(5).stride(4);
            assertThatThrownBy(() -> request.batchPlan(input)).isInstanceOf(BadRequestException.class)
                    .hasMessage("layer '" + conv2 + "' has shape [1, 64, 8192, 8192], more values per image than one"
                            + " Java array holds");
            assertThat(engine.openedForwards()).as("refused from the probed shape alone").isZero();
        }
    }

    @Test
    void shapesThatCannotBeProbedFallBackToTheInputAndTarget() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        try (OcclusionEngine engine = OcclusionEngine.open(model, EngineOptions.defaults(), (tensor, shape) -> {
            throw new EngineException("probe failed");
        })) {
            OcclusionBuilder request = engine.builder().layer("conv2").window(5).stride(4);
            assertThat(request.batchPlan(input).bytesPerImage()).isEqualTo(2L * 4 * (3072 + 1600));
            assertThat(request.run(input).batch()).isEqualTo(BatchPlan.MAX_DEFAULT_BATCH);
            assertThat(engine.openedForwards()).as("the plan's shape came from the run's session").isEqualTo(1);
        }
    }
}
