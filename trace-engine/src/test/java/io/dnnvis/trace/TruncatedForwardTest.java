package io.dnnvis.trace;

import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

    /**
     * ShuffleNet's channel shuffle as an export with a static batch writes it: Reshape to [1, 2, C/2, H, W],
     * Transpose, Reshape to [1, C, H, W]. The Reshapes pin the batch; read as "the input's first
     * dimension" they follow it, and the batched pass gives each input what a single one does.
     */
    @Test
    void reshapesToABatchOfOneFollowTheBatch() {
        Random rnd = new Random(5);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 9, 11);
        String c = b.relu(b.conv(x, 3, 8, 3, 1, 1, 1, rnd));
        String split = b.node("Reshape", List.of(c, b.initializerLongs("s5", new long[] {5},
                new long[] {1, 2, 4, 9, 11})));
        String shuffled = b.node("Transpose", List.of(split), intsAttr("perm", 0, 2, 1, 3, 4));
        String back = b.node("Reshape", List.of(shuffled, b.initializerLongs("s4", new long[] {4},
                new long[] {1, 8, 9, 11})));
        String out = b.conv(back, 8, 4, 3, 1, 1, 1, rnd);
        b.output(out);
        OnnxModel model = b.load();
        assertRunsLikeSinglePasses(model, out, new long[] {1, 3, 9, 11}, true);
        // the audit's pass, which also returns the tensors inside the graph
        long[] shape = {1, 3, 9, 11};
        float[] three = gaussians(3, shape, rnd);
        try (BatchedForward f = BatchedForward.open(model, List.of(back), shape, EngineOptions.defaults())) {
            assertThat(f.batchable()).isTrue();
            Map<String, TensorValue> batched = f.run(three, 3);
            assertEachAsAlone(model, shape, three, Map.of(back, batched.get(back).data(), out,
                    batched.get(out).data()));
        }
    }

    /**
     * A Reshape whose input holds the batch on its second axis (after a Transpose of the first two) mixes
     * the inputs once it reads the first dimension: the probe sees it and the pass runs one input at a
     * time, giving each input its own values.
     */
    @Test
    void aReshapeThatWouldMixTheInputsKeepsTheBatchOfOne() {
        Random rnd = new Random(6);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 2, 9, 11);
        String swapped = b.node("Transpose", List.of(b.relu(b.conv(x, 2, 2, 3, 1, 1, 1, rnd))), intsAttr("perm", 1, 0,
                2, 3));
        String back = b.node("Reshape", List.of(swapped, b.initializerLongs("s4", new long[] {4},
                new long[] {1, 2, 9, 11})));
        String out = b.conv(back, 2, 3, 3, 1, 1, 1, rnd);
        b.output(out);
        OnnxModel model = b.load();
        assertRunsLikeSinglePasses(model, out, new long[] {1, 2, 9, 11}, false);
        try (BatchedForward f = BatchedForward.open(model, List.of(back), new long[] {1, 2, 9, 11},
                EngineOptions.defaults())) {
            assertThat(f.batchable()).as("the audit's pass").isFalse();
        }
    }

    /** Three inputs through the pass in one call, against the whole model traced on each. */
    private static void assertRunsLikeSinglePasses(OnnxModel model, String tensor, long[] shape, boolean batchable) {
        float[] batch = gaussians(3, shape, new Random(9));
        try (TruncatedForward f = TruncatedForward.open(model, tensor, shape, EngineOptions.defaults())) {
            assertThat(f.batchable()).isEqualTo(batchable);
            assertEachAsAlone(model, shape, batch, Map.of(tensor, f.run(batch, 3)));
        }
    }

    /** {@code n} inputs of {@code shape} (batch 1) stacked, drawn from a standard normal. */
    private static float[] gaussians(int n, long[] shape, Random rnd) {
        float[] values = new float[(int) (n * shape[1] * shape[2] * shape[3])];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rnd.nextGaussian();
        }
        return values;
    }

    /** Each tensor's values for the inputs stacked in {@code batch}, against the model traced on each input alone. */
    private static void assertEachAsAlone(OnnxModel model, long[] shape, float[] batch, Map<String, float[]> batched) {
        int per = (int) (shape[1] * shape[2] * shape[3]);
        int n = batch.length / per;
        try (Tracer tracer = Tracer.open(model)) {
            for (int k = 0; k < n; k++) {
                TensorValue one = new TensorValue("x", shape, Arrays.copyOfRange(batch, k * per, (k + 1) * per));
                Trace alone = tracer.trace(one, List.copyOf(batched.keySet()));
                for (Map.Entry<String, float[]> e : batched.entrySet()) {
                    float[] expected = alone.get(e.getKey()).data();
                    float[] got = e.getValue();
                    assertThat(got).as(e.getKey()).hasSize(n * expected.length);
                    for (int i = 0; i < expected.length; i++) {
                        assertThat(got[k * expected.length + i]).as(e.getKey()).isCloseTo(expected[i],
                                org.assertj.core.data.Offset.offset(1e-4f));
                    }
                }
            }
        }
    }
}
