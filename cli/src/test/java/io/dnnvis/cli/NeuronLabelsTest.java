package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.ClassLabels;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;
import org.junit.jupiter.api.io.TempDir;

/** {@code --neuron R}: class labels name the channels of the model's output, as {@code class:R} does. */
class NeuronLabelsTest {

    @TempDir
    Path dir;

    private CliRun visualize(String layer, String neuron, String npy) {
        return CliRun.of("visualize", TestData.glyphNet().toString(), "--image",
                TestData.file("images/glyphs/R.png").toString(), "--layer", layer, "--neuron", neuron, "--method",
                "salinet", "--save-npy", dir.resolve(npy).toString());
    }

    @Test
    void labelsOfTheOutputNameTheSameChannelsAsTheirNumbers() throws Exception {
        List<String> labels = ClassLabels.of(OnnxModel.load(TestData.glyphNet()));
        int r = labels.indexOf("R");
        int k = labels.indexOf("K");
        assertThat(r).isPositive();
        CliRun byLabel = visualize("gemm3", "R,k", "label.npy");
        assertThat(byLabel.code()).as(byLabel.err()).isZero();
        CliRun byNumber = visualize("gemm3", r + "," + k, "number.npy");
        assertThat(byNumber.code()).as(byNumber.err()).isZero();
        float[] named = Npy.read(dir.resolve("label.npy"), "l").data();
        assertThat(Npy.read(dir.resolve("label.npy"), "l").shape()).containsExactly(2, 3, 64, 64);
        assertThat(named).containsExactly(Npy.read(dir.resolve("number.npy"), "n").data());
        assertThat(byLabel.out()).contains("salinet gemm3 logits (Gemm): 2 neurons");
        // R and K differ: the label chose the channel
        int plane = 3 * 64 * 64;
        float[] onlyR = Arrays.copyOf(named, plane);
        float[] onlyK = Arrays.copyOfRange(named, plane, 2 * plane);
        assertThat(onlyR).isNotEqualTo(onlyK);
    }

    @Test
    void labelsAreRefusedInOneLineOffTheOutputAndForUnknownClasses() {
        CliRun hidden = visualize("conv4", "R", "h.npy");
        assertThat(hidden.code()).isEqualTo(2);
        assertThat(hidden.oneErrorLine()).as(hidden.err()).isTrue();
        assertThat(hidden.err()).startsWith("error: --neuron: 'R' is not a channel number")
                .contains("'conv4' is not an output");
        CliRun unknown = visualize("gemm3", "Rho", "u.npy");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.oneErrorLine()).as(unknown.err()).isTrue();
        assertThat(unknown.err()).contains("--neuron: no class labelled 'Rho' in the metadata of glyphnet.onnx");
        assertThat(dir.resolve("h.npy")).doesNotExist();
        assertThat(dir.resolve("u.npy")).doesNotExist();
    }

    @Test
    void parsingKeepsLabelsAsGivenAndNumbersAsChannels() {
        assertThat(Neurons.parse(" R , 3")).isEqualTo(new Neurons.Labelled(List.of("R", "3")));
        assertThat(Neurons.parse("3, 4")).isEqualTo(new Neurons.Listed(new int[] {3, 4}));
        assertThatThrownBy(() -> Neurons.parse("R,top:3")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("class labels");
        CliRun bench = CliRun.of("bench", "missing.onnx", "--layer", "conv2", "--neuron", "R");
        assertThat(bench.code()).isEqualTo(2);
        assertThat(bench.err()).contains("'R' is not a list of channel numbers or all");
    }
}
