package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.WideConvModel;
import io.dnnvis.testdata.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose activations would be larger than --max-tensor-bytes at the input's size is exit code 2
 * and one line naming the tensor, its shape, its bytes and the option, before anything is allocated:
 * a 1x1 convolution to 2048 channels of a 1024x1024 input is 8 GiB of float32.
 */
class ActivationLimitTest {

    private static final String LINE_END = " of shape [1, 2048, 1024, 1024] needs 8589934592 bytes, more than the limit"
            + " of 2147483647 bytes (--max-tensor-bytes); use a smaller input or raise the limit";

    @TempDir
    Path dir;

    private Path model() throws Exception {
        Path model = dir.resolve("wide.onnx");
        WideConvModel.build().write(model);
        return model;
    }

    private static String image() {
        return TestData.file("images/astronaut.png").toString();
    }

    @Test
    void visualizeRefusesAConvOutputOverTheLimit() throws Exception {
        Path out = dir.resolve("out");
        long start = System.nanoTime();
        CliRun run = CliRun.of("visualize", model().toString(), "--image", image(), "--input-size", "1024x1024",
                "--preprocess", "imagenet", "--layer", "Conv_1_out", "--neuron", "0", "--method", "salinet", "-o", out.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err().strip()).isEqualTo("error: " + dir.resolve("wide.onnx") + ": tensor 'Conv_1_out'" + LINE_END);
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(30);
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void occlusionAndPredictRefuseItToo() throws Exception {
        Path model = model();
        CliRun occlusion = CliRun.of("occlusion", model.toString(), "--image", image(), "--input-size", "1024x1024",
                "--preprocess", "imagenet", "--layer", "Conv_1_out", "--window", "63", "--stride", "64", "-o", dir.resolve("occ").toString());
        assertThat(occlusion.code()).as(occlusion.err()).isEqualTo(2);
        assertThat(occlusion.oneErrorLine()).as(occlusion.err()).isTrue();
        assertThat(occlusion.err()).contains(LINE_END);
        CliRun predict = CliRun.of("predict", model.toString(), "--image", image(), "--input-size", "1024x1024",
                "--preprocess", "imagenet");
        assertThat(predict.code()).as(predict.err()).isEqualTo(2);
        assertThat(predict.oneErrorLine()).as(predict.err()).isTrue();
        assertThat(predict.err()).contains(LINE_END);
    }

    @Test
    void theSameModelRunsAtASmallInputAndARaisedLimitIsHonoured() throws Exception {
        Path model = model();
        Path out = dir.resolve("small");
        CliRun small = CliRun.of("visualize", model.toString(), "--image", image(), "--input-size", "16x16",
                "--layer", "Conv_1_out", "--neuron", "0", "--method", "salinet", "-o", out.toString());
        assertThat(small.code()).as(small.err()).isEqualTo(0);
        assertThat(Files.list(out).count()).isPositive();
        long convBytes = 4L * 2048 * 16 * 16;
        CliRun lowered = CliRun.of("visualize", model.toString(), "--image", image(), "--input-size", "16x16",
                "--layer", "Conv_1_out", "--neuron", "0", "--method", "salinet", "-o", dir.resolve("low").toString(),
                "--max-tensor-bytes", String.valueOf(convBytes - 1));
        assertThat(lowered.code()).as(lowered.err()).isEqualTo(2);
        assertThat(lowered.err()).contains("needs " + convBytes + " bytes, more than the limit of " + (convBytes - 1));
    }
}
