package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.Pooling;
import io.dnnvis.trace.backward.StartSignal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Backward requests are plain values; reconstructions hold their values after the Visualizer is closed. */
class BackwardValuesTest {

    private static final TensorValue INPUT = Npy.read(TestData.referenceInput("lenet"), "input");

    private static BackwardRequest request(String layer, int[] neurons, boolean all) {
        return new BackwardRequest(BackwardMethod.SALINET, layer, neurons, all, Optional.empty(), Pooling.SWITCH,
                StartSignal.ACTIVATION, false, false);
    }

    @Test
    void aRequestChecksItsOwnFields() {
        assertThatThrownBy(() -> request(null, new int[] {1}, false)).isInstanceOf(BadRequestException.class)
                .hasMessage("no layer given");
        assertThatThrownBy(() -> request("conv2", new int[0], false)).isInstanceOf(BadRequestException.class)
                .hasMessage("no neurons given for layer 'conv2'");
        assertThatThrownBy(() -> request("conv2", new int[] {1}, true)).isInstanceOf(BadRequestException.class)
                .hasMessage("give neurons or all neurons of layer 'conv2', not both");
        assertThat(request("conv2", new int[0], true).allNeurons()).isTrue();
    }

    @Test
    void aRequestIsAnImmutableValue() {
        int[] neurons = {3, 1};
        BackwardRequest r = request("conv2", neurons, false);
        neurons[0] = 9;
        r.neurons()[1] = 9;
        assertThat(r.neurons()).containsExactly(3, 1);
        assertThat(r).isEqualTo(request("conv2", new int[] {3, 1}, false))
                .hasSameHashCodeAs(request("conv2", new int[] {3, 1}, false))
                .isNotEqualTo(request("conv2", new int[] {1, 3}, false));
        assertThat(r.toString()).isEqualTo("salinet(layer conv2, neurons [3, 1], pooling switch, start activation)");
    }

    @Test
    void theBuilderMakesTheSameValueAndTheValueRunsAsTheBuilderDoes() {
        try (Visualizer vis = Visualizer.open(TestData.referenceModel("lenet"))) {
            BackwardBuilder built = vis.deconvnet().layer("conv2").neurons(4, 2).position(3, 5).pooling(Pooling.SPREAD)
                    .start(StartSignal.ONES).withSignals();
            BackwardRequest value = new BackwardRequest(BackwardMethod.DECONVNET, "conv2", new int[] {4, 2}, false,
                    Optional.of(new GridPoint(3, 5)), Pooling.SPREAD, StartSignal.ONES, true, false);
            assertThat(built.request()).isEqualTo(value);
            Reconstruction fromBuilder = built.run(INPUT);
            Reconstruction fromValue = vis.run(value, INPUT);
            assertThat(fromValue.request()).isEqualTo(value);
            assertThat(fromValue.tensor()).isEqualTo(fromBuilder.tensor());
            assertThat(fromValue.signals()).isEqualTo(fromBuilder.signals());
            assertThat(fromValue).isEqualTo(fromBuilder);
        }
    }

    @Test
    void resultsHoldTheirValuesAfterTheVisualizerIsClosed() {
        Reconstruction oneChannel;
        Reconstruction withSignals;
        float[] expectedActivation;
        String conv2;
        try (Visualizer vis = Visualizer.open(TestData.referenceModel("lenet"))) {
            conv2 = vis.model().graph().layer("conv2").tensor();
            expectedActivation = vis.tracer().trace(INPUT, List.of(conv2)).get(conv2).data();
            // one neuron of a Conv layer: the backward graph computes that channel of conv2 alone
            oneChannel = vis.desalinet().layer("conv2").neurons(6).withActivation().run(INPUT);
            withSignals = vis.salinet().layer("conv2").neurons(6).withSignals().run(INPUT);
        }
        assertThat(oneChannel.activation().shape()).containsExactly(1, 16, 10, 10);
        assertThat(Tolerance.relativeError(oneChannel.activation().data(), expectedActivation))
                .isLessThanOrEqualTo(1e-6);
        assertThat(oneChannel.values().shape()).containsExactly(1, 3, 32, 32);
        assertThat(Tolerance.norm(oneChannel.tensor().data())).isPositive();
        assertThat(withSignals.signal("conv2").shape()).containsExactly(1, 1, 16, 10, 10);
        assertThat(withSignals.signalTensors()).contains(conv2);
        assertThatThrownBy(withSignals::activation).isInstanceOf(BadRequestException.class)
                .hasMessage("the activation of layer 'conv2' was not kept (request withActivation())");
        assertThatThrownBy(() -> oneChannel.signal("conv2")).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("no signal recorded for 'conv2'");
    }
}
