package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class VisualizerTest {

    private Visualizer vis;
    private TensorValue input;

    @BeforeEach
    void open() {
        vis = Visualizer.open(TestData.referenceModel("lenet"));
        input = Npy.read(TestData.referenceInput("lenet"), "input");
    }

    @AfterEach
    void close() {
        vis.close();
    }

    @Test
    void signalsAlongTheWayAreAvailableOnRequest() {
        Reconstruction r = vis.desalinet().layer("conv2").neurons(5, 7).withSignals().withActivation().run(input);
        String conv2 = vis.model().graph().layer("conv2").tensor();
        String relu1 = vis.model().graph().layer("relu1").tensor();
        INDArray atTarget = r.signal(conv2).toINDArray();
        assertThat(atTarget.shape()).containsExactly(2, 1, 16, 10, 10);
        // the start signal is the activation of the selected channel, zero elsewhere
        float[] activation = r.activation().data();
        assertThat(atTarget.getFloat(0, 0, 5, 3, 4)).isEqualTo(activation[(5 * 10 + 3) * 10 + 4]);
        assertThat(atTarget.getFloat(0, 0, 4, 3, 4)).isZero();
        assertThat(atTarget.getFloat(1, 0, 7, 0, 0)).isEqualTo(activation[(7 * 10) * 10]);
        assertThat(r.signal(relu1).shape()).containsExactly(2, 1, 8, 28, 28);
        assertThat(r.signal("relu1")).isEqualTo(r.signal(relu1));
        assertThat(r.signal("RELU1")).as("aliases in any case, as layers are found").isEqualTo(r.signal(relu1));
        INDArray atInput = r.signal(vis.model().graph().inputs().get(0).name()).toINDArray();
        assertThat(atInput.reshape(2, 3, 32, 32).equalsWithEps(r.values(), 0)).isTrue();
        assertThat(r.signalTensors()).contains(conv2, relu1);
    }

    @Test
    void oneSessionServesEveryNeuronOfALayer() {
        vis.salinet().layer("conv2").neurons(1).run(input);
        vis.salinet().layer("conv2").neurons(2, 3).run(input);
        vis.salinet().layer("conv2").allNeurons().run(input);
        assertThat(vis.engine().compiledCount()).isEqualTo(1);
        vis.deconvnet().layer("conv2").neurons(1).run(input);
        assertThat(vis.engine().compiledCount()).isEqualTo(2);
    }

    @Test
    void allNeuronsGivesOneReconstructionPerChannel() {
        Reconstruction all = vis.salinet().layer("conv2").allNeurons().run(input);
        assertThat(all.neurons()).hasSize(16);
        assertThat(all.values().shape()).containsExactly(16, 3, 32, 32);
        Reconstruction nine = vis.salinet().layer("conv2").neurons(9).run(input);
        assertThat(all.values().slice(9).reshape(1, 3, 32, 32).equalsWithEps(nine.values(), 1e-6)).isTrue();
    }

    @Test
    void requestsAreImmutableAndReusable() {
        BackwardBuilder base = vis.desalinet().layer("conv2");
        BackwardBuilder one = base.neurons(1);
        BackwardBuilder two = base.neurons(2);
        assertThat(one.run(input).neurons()).containsExactly(1);
        assertThat(two.run(input).neurons()).containsExactly(2);
        assertThat(one.run(input).values().equalsWithEps(one.run(input).values(), 0)).isTrue();
    }

    @Test
    void badRequestsSayWhatIsValid() {
        assertThatThrownBy(() -> vis.salinet().layer("conv2").neurons(16).run(input))
                .isInstanceOf(BadRequestException.class)
                .hasMessage("neuron 16 does not exist in layer 'conv2' (channels 0..15)");
        assertThatThrownBy(() -> vis.salinet().layer("gemm1").neurons(1).position(0, 0).run(input))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("needs a 4-D layer");
        assertThatThrownBy(() -> vis.salinet().layer("conv2").run(input))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("no neurons");
        assertThatThrownBy(() -> vis.salinet().neurons(1).run(input))
                .isInstanceOf(BadRequestException.class).hasMessage("no layer given");
        TensorValue batch2 = TensorValue.zeros("input", new long[] {2, 3, 32, 32});
        assertThatThrownBy(() -> vis.salinet().layer("conv2").neurons(1).run(batch2))
                .hasMessageContaining("one input image (batch 1)");
        assertThat(List.of(BackwardMethod.values())).hasSize(3);
        float[] data = input.data();
        data[5] = Float.NaN;
        TensorValue nan = new TensorValue("input", input.shape(), data);
        assertThatThrownBy(() -> vis.salinet().layer("conv2").neurons(1).run(nan))
                .isInstanceOf(io.dnnvis.trace.BadInputException.class)
                .hasMessageEndingWith("input 'input' contains NaN (at flat index 5); inputs must be finite");
    }
}
