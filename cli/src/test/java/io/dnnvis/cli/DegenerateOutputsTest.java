package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results that are no picture of anything (security.md rows 23 and 24): an output with a dimension
 * of 0 is refused by predict in one line (it was "internal error: Index 0 out of bounds", exit 1);
 * outputs of NaN, infinity or one value everywhere are said so in one warning line.
 */
class DegenerateOutputsTest {

    @TempDir
    Path dir;

    /** x[1,3,8,8] -> Conv(4) -> Relu -> Mul(factor) -> GlobalAveragePool -> Flatten: [1, 4] "classes". */
    private Path scaled(String name, float factor) {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 8, 8);
        String conv = b.conv(x, 3, 4, 3, 1, 1, 1, new Random(1));
        String k = b.initializer("k", new long[] {1}, new float[] {factor});
        b.output(b.flatten(b.globalAvgPool(b.mul(b.relu(conv), k)), 1));
        return write(b, name);
    }

    private Path write(ModelBuilder b, String name) {
        Path file = dir.resolve(name + ".onnx");
        try {
            b.write(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }

    private Path input() {
        return RandomInputs.uniform(dir.resolve("x.npy"), new Random(2), 1, 3, 8, 8);
    }

    @Test
    void anOutputWithoutValuesIsRefusedInOneLine() {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 8, 8);
        String conv = b.relu(b.conv(x, 3, 4, 3, 1, 1, 1, new Random(1)));
        String start = b.initializerLongs("start", new long[] {1}, new long[] {2});
        String end = b.initializerLongs("end", new long[] {1}, new long[] {2});
        String axis = b.initializerLongs("axis", new long[] {1}, new long[] {1});
        String empty = b.output(b.node("Slice", List.of(conv, start, end, axis)));
        Path model = write(b, "empty");
        CliRun run = CliRun.of("predict", model.toString(), "--input-npy", input().toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err().strip()).isEqualTo("error: empty.onnx: output '" + empty + "' has shape [1, 0, 8, 8];"
                + " predict reads [N,K] (classes), [N,K,H,W] or [N,H,W,K] (segmentation), [N,T,K] or [T,N,K] (sequences)");
    }

    @Test
    void nanInfiniteAndConstantOutputsAreSaidSo() {
        String x = input().toString();
        CliRun nan = CliRun.of("predict", scaled("nan", Float.NaN).toString(), "--input-npy", x);
        assertThat(nan.code()).as(nan.err()).isZero();
        assertThat(nan.err()).endsWith(" holds NaN or infinite values" + System.lineSeparator());
        assertThat(nan.oneErrorLine()).isTrue();
        CliRun zero = CliRun.of("predict", scaled("zero", 0).toString(), "--input-npy", x);
        assertThat(zero.err()).endsWith(" is 0.0 everywhere" + System.lineSeparator()).startsWith("warning: output '");
        CliRun normal = CliRun.of("predict", scaled("one", 1).toString(), "--input-npy", x);
        assertThat(normal.code()).as(normal.err()).isZero();
        assertThat(normal.err()).isEmpty();

        CliRun occlusion = CliRun.of("occlusion", scaled("zero2", 0).toString(), "--input-npy", x, "--target",
                "class:1", "--window", "3", "--stride", "2", "--quiet", "--save-npy", dir.resolve("o.npy").toString());
        assertThat(occlusion.code()).as(occlusion.err()).isZero();
        assertThat(occlusion.err()).isEqualTo("warning: the occlusion result is 0.0 everywhere" + System.lineSeparator());
        CliRun sparse = CliRun.of("occlusion", scaled("one2", 1).toString(), "--input-npy", x, "--target",
                "class:1", "--window", "1", "--stride", "3", "--quiet", "--save-npy", dir.resolve("s.npy").toString());
        assertThat(sparse.code()).as(sparse.err()).isZero();
        // NaN where no window covers a pixel is no problem: only a note counts those pixels
        assertThat(sparse.err()).as(sparse.err()).doesNotContain("warning").startsWith("note: ")
                .contains("under no window");
    }

    @Test
    void theProblemOfValues() {
        assertThat(ValueWarnings.problem(new float[] {1, 2}, false)).isNull();
        assertThat(ValueWarnings.problem(new float[] {1, Float.NaN}, false)).isEqualTo("holds NaN or infinite values");
        assertThat(ValueWarnings.problem(new float[] {1, Float.NaN, 2}, true)).isNull();
        assertThat(ValueWarnings.problem(new float[] {Float.NaN, Float.NaN}, true))
                .isEqualTo("holds NaN or infinite values");
        assertThat(ValueWarnings.problem(new float[] {1, Float.NEGATIVE_INFINITY}, true))
                .isEqualTo("holds NaN or infinite values");
        assertThat(ValueWarnings.problem(new float[] {3, 3, Float.NaN}, true)).isEqualTo("is 3.0 everywhere");
        assertThat(ValueWarnings.problem(new float[] {3}, false)).isNull();
        assertThat(ValueWarnings.problem(new float[0], false)).isNull();
    }
}
