package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.WideConvModel;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.backward.BackwardEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs whose tensors would not fit are refused from the shapes, before anything is allocated: a 1x1
 * convolution to 2048 channels of a 1024x1024 input is 8 GiB of float32, which neither the test's
 * heap nor the machine would hold.
 */
class ActivationCheckTest {

    private static final long[] LARGE_INPUT = {1, 3, 1024, 1024};
    private static final long CONV_BYTES = 4L * 2048 * 1024 * 1024;

    private final String conv;
    private final OnnxModel model;

    ActivationCheckTest() {
        model = WideConvModel.build().load();
        conv = WideConvModel.convOf(model);
    }

    @Test
    void theBackwardEngineRefusesATensorOverTheLimitBeforeRunning() {
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> engine.shapes(conv, LARGE_INPUT))
                    .isInstanceOf(TensorTooLargeException.class)
                    .hasMessage(model.path() + ": tensor '" + conv + "' of shape [1, 2048, 1024, 1024] needs "
                            + CONV_BYTES + " bytes, more than the limit of 2147483647 bytes (--max-tensor-bytes);"
                            + " use a smaller input or raise the limit");
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);
        }
    }

    @Test
    void theTracerRefusesTheSameForwardRun() {
        try (Tracer tracer = Tracer.open(model)) {
            TensorValue input = TensorValue.zeros("x", LARGE_INPUT);
            assertThatThrownBy(() -> tracer.run(input))
                    .isInstanceOf(TensorTooLargeException.class)
                    .hasMessageContaining("tensor '" + conv + "' of shape [1, 2048, 1024, 1024] needs " + CONV_BYTES);
        }
    }

    @Test
    void aLimitSetLowerRefusesASmallRun() {
        long[] input = {1, 3, 8, 8};
        long convBytes = 4L * 2048 * 8 * 8;
        try (Tracer tracer = Tracer.open(model, EngineOptions.defaults().withMaxTensorBytes(convBytes - 1))) {
            assertThatThrownBy(() -> tracer.run(TensorValue.zeros("x", input)))
                    .isInstanceOf(TensorTooLargeException.class)
                    .hasMessageContaining("needs " + convBytes + " bytes, more than the limit of " + (convBytes - 1));
        }
        try (Tracer tracer = Tracer.open(model, EngineOptions.defaults().withMaxTensorBytes(convBytes))) {
            assertThat(tracer.run(TensorValue.zeros("x", input)).get(model.graph().outputs().get(0).name()).shape())
                    .containsExactly(1, 2048, 8, 8);
        }
    }

    @Test
    void aNormalRunHasItsShapesAndBatchesCutToTheLimit() {
        long[] input = {1, 3, 8, 8};
        long convBytes = 4L * 2048 * 8 * 8;
        try (BackwardEngine engine = BackwardEngine.open(model,
                EngineOptions.defaults().withMaxTensorBytes(3 * convBytes + 5))) {
            assertThat(engine.shapes(conv, input).get(conv)).containsExactly(1, 2048, 8, 8);
            assertThat(engine.batchLimit(conv, input)).isEqualTo(3);
        }
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            assertThat(engine.batchLimit(conv, input)).isEqualTo(BackwardEngine.MAX_BATCH);
        }
    }

    @Test
    void allTensorsTogetherMustFitTheMemory() {
        long[] input = {1, 3, 8, 8};
        long inputBytes = 4L * 3 * 8 * 8;
        long convBytes = 4L * 2048 * 8 * 8;
        long backward = 2 * (inputBytes + convBytes);
        Map<String, long[]> inputs = Map.of("x", input);
        ActivationCheck tight = new ActivationCheck(model, EngineOptions.defaults(), backward - 1);
        assertThat(tight.check(List.of(conv), inputs, false)).containsOnlyKeys("x", conv);
        assertThatThrownBy(() -> tight.check(List.of(conv), inputs, true))
                .isInstanceOf(TensorTooLargeException.class)
                .hasMessage(model.path() + ": a run needs about " + backward + " bytes of tensors (the largest '" + conv
                        + "' of shape [1, 2048, 8, 8], " + convBytes + " bytes), more than the " + (backward - 1)
                        + " bytes this machine has besides the Java heap; use a smaller input");
        assertThat(new ActivationCheck(model, EngineOptions.defaults(), backward).check(List.of(conv), inputs, true))
                .containsOnlyKeys("x", conv);
    }
}
