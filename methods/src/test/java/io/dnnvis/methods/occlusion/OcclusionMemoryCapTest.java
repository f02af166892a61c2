package io.dnnvis.methods.occlusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import org.junit.jupiter.api.Test;

/**
 * The memory cap of one occlusion run is an option (issue 22): a cap of three images' estimated
 * memory runs three images per run with the same result; the default comes from the machine's
 * available memory, within its bounds.
 */
class OcclusionMemoryCapTest {

    private final OnnxModel model = OnnxModel.load(TestData.referenceModel("resnet-mini"));
    private final TensorValue input = Npy.read(TestData.referenceInput("resnet-mini"), "input");

    @Test
    void aSmallCapCutsTheBatchAndGivesTheSameResult() {
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            OcclusionBuilder request = vis.occlusion().layer("conv4").window(9).stride(8);
            OcclusionResult free = request.run(input);
            long perImage = request.batchPlan(input).bytesPerImage();
            OcclusionBuilder capped = request.memoryCap(3 * perImage + 1);
            assertThat(capped.batchPlan(input).limit()).isEqualTo(3);
            OcclusionResult result = capped.run(input);
            assertThat(result.batch()).isEqualTo(3);
            float[] a = result.tensor().data();
            float[] b = free.tensor().data();
            assertThat(a).containsExactly(b);
            assertThat(request.request().memoryCap()).isZero();
            assertThat(capped.request().memoryCap()).isEqualTo(3 * perImage + 1);
            assertThatThrownBy(() -> request.memoryCap(-1).request()).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("memory cap");
        }
    }

    @Test
    void theDefaultCapIsAQuarterOfTheAvailableMemoryWithinItsBounds() {
        long available = AvailableMemory.bytes();
        long cap = BatchPlan.defaultMemoryCap();
        assertThat(cap).isBetween(BatchPlan.MIN_DEFAULT_CAP, BatchPlan.MAX_DEFAULT_CAP);
        if (available > 0) {
            assertThat(cap).isEqualTo(Math.max(BatchPlan.MIN_DEFAULT_CAP, Math.min(BatchPlan.MAX_DEFAULT_CAP,
                    available / 4)));
        }
    }
}
