package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TruncatedForwardTest {

    @Test
    void aStaticBatchModelRunsBatchesAndEqualsTheFullForwardPass() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("resnet-mini"));
        long[] shape = {1, 3, 64, 64};
        int per = 3 * 64 * 64;
        Random random = new Random(3);
        float[] batch = new float[3 * per];
        for (int k = 0; k < batch.length; k++) {
            batch[k] = (float) random.nextGaussian();
        }
        try (TruncatedForward f = TruncatedForward.open(model, "relu5", shape, EngineOptions.defaults());
                Tracer tracer = Tracer.open(model)) {
            assertThat(f.batchable()).isTrue();
            assertThat(f.outputShape()).containsExactly(1, 32, 16, 16);
            float[] out = f.run(batch, 3);
            int step = 32 * 16 * 16;
            assertThat(out).hasSize(3 * step);
            for (int k = 0; k < 3; k++) {
                TensorValue one = new TensorValue("input", shape, Arrays.copyOfRange(batch, k * per, (k + 1) * per));
                float[] full = tracer.trace(one, List.of("relu5")).get(f.tensor()).data();
                float[] mine = Arrays.copyOfRange(out, k * step, (k + 1) * step);
                for (int i = 0; i < step; i++) {
                    assertThat(mine[i]).isCloseTo(full[i], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }
}
