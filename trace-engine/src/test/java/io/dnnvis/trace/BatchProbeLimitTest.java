package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.WideConvModel;
import io.dnnvis.onnx.OnnxModel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A forward pass learns whether its graph takes batches from a run at batch 2, which holds twice
 * the tensors of one input: that probe runs only where the check of the shapes says two inputs fit
 * within {@link EngineOptions#maxTensorBytes()}. A 1x1 convolution to 2048 channels of an 8x8
 * input: its output is 524288 bytes per input.
 */
class BatchProbeLimitTest {

    private static final long[] INPUT = {1, 3, 8, 8};
    private static final long CONV_BYTES = 4L * 2048 * 8 * 8;

    private final String conv;
    private final OnnxModel model;

    BatchProbeLimitTest() {
        model = WideConvModel.build().load();
        conv = WideConvModel.convOf(model);
    }

    @Test
    void aLimitThatOneInputFitsButTwoDoNotOpensAPassOfOneInputAtATime() {
        float[] three = new float[3 * 3 * 8 * 8];
        Random random = new Random(5);
        for (int k = 0; k < three.length; k++) {
            three[k] = (float) random.nextGaussian();
        }
        float[] batched;
        try (ForwardPasses roomy = ForwardPasses.of(model, EngineOptions.defaults().withMaxTensorBytes(2 * CONV_BYTES))) {
            TruncatedForward pass = roomy.get(conv, INPUT);
            assertThat(pass.batchable()).as("two inputs fit: the probe at batch 2 ran").isTrue();
            batched = pass.run(three, 3);
        }
        try (ForwardPasses tight = ForwardPasses.of(model, EngineOptions.defaults().withMaxTensorBytes(CONV_BYTES))) {
            TruncatedForward pass = tight.get(conv, INPUT);
            assertThat(pass.batchable()).as("two inputs' convolution exceeds the limit: no probe at batch 2")
                    .isFalse();
            assertThat(pass.outputShape()).containsExactly(1, 2048, 8, 8);
            float[] one = pass.run(three, 3);
            assertThat(one).hasSize(3 * 2048 * 64);
            assertThat(one).containsExactly(batched);
        }
        try (ForwardPasses tooTight = ForwardPasses.of(model,
                EngineOptions.defaults().withMaxTensorBytes(CONV_BYTES - 1))) {
            assertThatThrownBy(() -> tooTight.get(conv, INPUT)).isInstanceOf(TensorTooLargeException.class)
                    .hasMessage(model.path() + ": tensor '" + conv + "' of shape [1, 2048, 8, 8] needs " + CONV_BYTES
                            + " bytes, more than the limit of " + (CONV_BYTES - 1)
                            + " bytes (--max-tensor-bytes); use a smaller input or raise the limit");
            assertThat(tooTight.opened()).isZero();
        }
    }

    @Test
    void batchFitCountsEveryTensorTimesTheBatchAgainstTheLimitAndTheMemory() {
        Map<String, long[]> inputs = Map.of("x", INPUT);
        long inputBytes = 4L * 3 * 8 * 8;
        ActivationCheck three = new ActivationCheck(model, EngineOptions.defaults().withMaxTensorBytes(3 * CONV_BYTES + 5),
                Long.MAX_VALUE);
        Map<String, long[]> checked = three.check(List.of(conv), inputs, false);
        assertThat(checked).containsOnlyKeys("x", conv);
        assertThat(three.batchFit(checked, false)).isEqualTo(3);
        ActivationCheck memory = new ActivationCheck(model, EngineOptions.defaults(), 5 * (inputBytes + CONV_BYTES));
        assertThat(memory.batchFit(checked, false)).isEqualTo(5);
        assertThat(memory.batchFit(checked, true)).as("a signal at every tensor doubles it").isEqualTo(2);
        ActivationCheck tiny = new ActivationCheck(model, EngineOptions.defaults().withMaxTensorBytes(CONV_BYTES),
                Long.MAX_VALUE);
        assertThat(tiny.batchFit(checked, false)).isEqualTo(1);
        assertThat(tiny.batchFit(Map.of(), false)).as("shapes not static: nothing known").isEqualTo(Integer.MAX_VALUE);
        assertThat(Arrays.stream(checked.get(conv)).reduce(4, (a, b) -> a * b)).isEqualTo(CONV_BYTES);
    }
}
