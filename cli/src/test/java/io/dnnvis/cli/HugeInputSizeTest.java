package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.testdata.TestData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An --input-size whose tensor would not fit one array is exit code 2 and one line naming the option. */
class HugeInputSizeTest {

    @TempDir
    Path dir;

    @Test
    void predictRefusesAnAbsurdInputSize() throws Exception {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, -1, -1);
        b.output(b.node("Identity", List.of(x)));
        Path model = dir.resolve("dynamic.onnx");
        b.write(model);
        CliRun run = CliRun.of("predict", model.toString(), "--image",
                TestData.file("images/glyphs/R.png").toString(), "--input-size", "50000x50000");
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err().strip()).isEqualTo("error: --input-size 50000x50000: an input of 50000x50000 pixels "
                + "needs 30000000000 bytes of float32, more than the 2147483647 an input tensor may take");
    }
}
