package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A convolution whose kernel does not fit in its (padded) input is refused in one line naming it. */
class KernelLargerThanInputTest {

    @TempDir
    Path dir;

    @Test
    void visualizeAndLayersRefuseAKernelLargerThanItsInputInOneLine() throws Exception {
        ModelBuilder b = ModelBuilder.create(13).name("bigkernel");
        String x = b.input("x", 1, 3, 4, 4);
        b.output(b.relu(b.conv(b.relu(x), 3, 2, 7, 1, 0, 1, new java.util.Random(1))));
        Path file = dir.resolve("bigkernel.onnx");
        Files.write(file, b.build().toByteArray());
        Path npy = dir.resolve("x.npy");
        Npy.write(npy, TensorValue.owning("x", new long[] {1, 3, 4, 4}, new float[48]));
        for (String[] args : new String[][] {
                {"visualize", file.toString(), "--layer", "relu2", "--neuron", "0", "--input-npy", npy.toString(),
                        "-o", dir.resolve("out").toString()},
                {"layers", file.toString()}}) {
            CliRun run = CliRun.of(args);
            assertThat(run.code()).as(args[0] + ": " + run.err()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).contains(file.toString(), "Conv", "Invalid input shape");
        }
    }
}
