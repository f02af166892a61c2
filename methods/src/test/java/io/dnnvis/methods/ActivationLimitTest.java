package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.WideConvModel;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorTooLargeException;
import io.dnnvis.trace.TensorValue;
import org.junit.jupiter.api.Test;

/**
 * The library refuses a reconstruction or an occlusion whose activations exceed
 * {@link EngineOptions#maxTensorBytes()} before allocating them (a 1x1 convolution to 2048 channels
 * of a 1024x1024 input: 8 GiB), and runs the same model at a small input.
 */
class ActivationLimitTest {

    private static final String MESSAGE_END = " of shape [1, 2048, 1024, 1024] needs 8589934592 bytes, more than the"
            + " limit of 2147483647 bytes (--max-tensor-bytes); use a smaller input or raise the limit";

    private final String conv;
    private final OnnxModel model;

    ActivationLimitTest() {
        model = WideConvModel.build().load();
        conv = WideConvModel.convOf(model);
    }

    @Test
    void reconstructionsAndOcclusionsAreRefusedBeforeRunning() {
        TensorValue large = TensorValue.zeros("x", new long[] {1, 3, 1024, 1024});
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            assertThatThrownBy(() -> vis.desalinet().layer(conv).neurons(0).run(large))
                    .isInstanceOf(TensorTooLargeException.class)
                    .hasMessage(model.path() + ": tensor '" + conv + "'" + MESSAGE_END);
            assertThatThrownBy(() -> vis.occlusion().layer(conv).window(63).stride(64).run(large))
                    .isInstanceOf(TensorTooLargeException.class)
                    .hasMessage(model.path() + ": tensor '" + conv + "'" + MESSAGE_END);
        }
    }

    @Test
    void theSameModelRunsAtASmallInput() {
        TensorValue small = TensorValue.zeros("x", new long[] {1, 3, 8, 8});
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            Reconstruction r = vis.salinet().layer(conv).neurons(0, 1).run(small);
            assertThat(r.neurons()).containsExactly(0, 1);
        }
    }
}
