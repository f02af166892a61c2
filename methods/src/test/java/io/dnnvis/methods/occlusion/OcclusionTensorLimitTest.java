package io.dnnvis.methods.occlusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.Target;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorTooLargeException;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Occlusion batches keep every tensor of a run within the engine's {@code maxTensorBytes}
 * ({@code --max-tensor-bytes}), not only within the 1 GiB memory budget. ResNet-mini cut at conv4
 * (64 windows of 9x9, stride 8): its largest tensor per image is conv1's and relu1's [1, 16, 64, 64],
 * 262144 bytes; a limit of 600000 bytes fits two images' of it, not three.
 */
class OcclusionTensorLimitTest {

    private static final long CONV1_BYTES = 4L * 16 * 64 * 64;
    private static final long LIMIT = 600_000;

    private final OnnxModel model = OnnxModel.load(TestData.referenceModel("resnet-mini"));
    private final TensorValue input = Npy.read(TestData.referenceInput("resnet-mini"), "input");

    @Test
    void aSmallLimitCutsTheBatchAndGivesTheSameResult() {
        OcclusionResult free;
        OcclusionResult freeScore;
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            OcclusionBuilder request = vis.occlusion().layer("conv4").window(9).stride(8);
            free = request.run(input);
            freeScore = request.target(Target.parse("class:4")).run(input);
        }
        assertThat(free.batch()).isEqualTo(BatchPlan.MAX_DEFAULT_BATCH);
        assertThat(free.batchPlan().limitedByTensorBytes()).isFalse();
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults().withMaxTensorBytes(LIMIT))) {
            OcclusionBuilder request = vis.occlusion().layer("conv4").window(9).stride(8);
            BatchPlan plan = request.batchPlan(input);
            assertThat(plan.largestTensorBytes()).isEqualTo(CONV1_BYTES);
            assertThat(plan.maxTensorBytes()).isEqualTo(LIMIT);
            assertThat(plan.limit()).isEqualTo((int) (LIMIT / CONV1_BYTES)).isEqualTo(2);
            assertThat(plan.images()).isEqualTo(2);
            assertThat(plan.limitedByTensorBytes()).isTrue();

            List<Integer> done = new ArrayList<>();
            OcclusionResult capped = request.progress((d, total) -> done.add(d)).run(input);
            assertThat(capped.batch()).isEqualTo(2);
            assertThat(capped.windows()).isEqualTo(free.windows()).isEqualTo(64);
            assertThat(done).hasSize(33).startsWith(0, 2, 4).endsWith(64); // 32 runs of 2 windows
            assertThat(maxDifference(capped, free)).isZero();

            OcclusionResult asked = request.batch(16).run(input);
            assertThat(asked.batch()).isEqualTo(2);
            assertThat(asked.batchPlan().reduced()).isTrue();
            assertThat(maxDifference(asked, free)).isZero();

            OcclusionResult score = request.target(Target.parse("class:4")).run(input);
            assertThat(score.batch()).isEqualTo(2);
            assertThat(maxDifference(score, freeScore)).isZero();
        }
    }

    @Test
    void aLimitOneImageExceedsIsRefusedBeforeAnyPassOpens() {
        // a shape source that knows a tensor the static check does not: its [1, 16, 64, 64] exceeds the limit
        long[] big = {1, 16, 64, 64};
        String conv4 = model.graph().layer("conv4").tensor();
        try (OcclusionEngine engine = OcclusionEngine.open(model, EngineOptions.defaults().withMaxTensorBytes(
                CONV1_BYTES - 1), (tensor, shape) -> Map.of("hidden", big, conv4, new long[] {1, 32, 16, 16}))) {
            OcclusionBuilder request = engine.builder().layer("conv4").window(9).stride(8);
            assertThatThrownBy(() -> request.batchPlan(input)).isInstanceOf(TensorTooLargeException.class)
                    .hasMessage(model.path() + ": tensor 'hidden' of shape [1, 16, 64, 64] needs " + CONV1_BYTES
                            + " bytes, more than the limit of " + (CONV1_BYTES - 1)
                            + " bytes (--max-tensor-bytes); use a smaller input or raise the limit");
            assertThat(engine.openedForwards()).isZero();
        }
    }

    @Test
    void theLimitBoundsTheInputAndTargetWhenNothingElseIsKnown() {
        long[] in = {1, 3, 32, 32};
        long[] out = {1, 16, 10, 10};
        BatchPlan plan = BatchPlan.of(64, in, out, Map.of(), 1L << 30, 1L << 30, 3 * 4L * 3072);
        assertThat(plan.largestTensorBytes()).isEqualTo(4L * 3072);
        assertThat(plan.images()).isEqualTo(3);
        assertThat(plan.limitedByTensorBytes()).isTrue();
        BatchPlan wideTarget = BatchPlan.of(64, in, new long[] {1, 64, 32, 32}, Map.of(), 1L << 30, 1L << 30,
                5 * 4L * 64 * 1024);
        assertThat(wideTarget.images()).isEqualTo(5);
        BatchPlan free = BatchPlan.of(64, in, out, Map.of(), 1L << 30, 1L << 30);
        assertThat(free.images()).isEqualTo(64);
        assertThat(free.limitedByTensorBytes()).isFalse();
    }

    private static double maxDifference(OcclusionResult a, OcclusionResult b) {
        float[] x = a.tensor().data();
        float[] y = b.tensor().data();
        assertThat(x).hasSameSizeAs(y);
        double max = 0;
        for (int k = 0; k < x.length; k++) {
            boolean bothNaN = Float.isNaN(x[k]) && Float.isNaN(y[k]);
            max = Math.max(max, bothNaN ? 0 : Math.abs((double) x[k] - y[k]));
        }
        return max;
    }
}
