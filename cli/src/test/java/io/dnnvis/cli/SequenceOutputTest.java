package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graph output that turns out a sequence is refused as bad input, in one line. */
class SequenceOutputTest {

    @TempDir
    Path dir;

    @Test
    void aSequenceOutputIsRefusedWithExitTwo() throws Exception {
        ModelBuilder b = ModelBuilder.create(13).name("sequence");
        String x = b.input("x", 1, 3, 4, 4);
        String seq = b.node("SequenceConstruct", List.of(b.relu(x)));
        b.output(seq);
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().getOutputBuilder(0).clearType();
        Path file = dir.resolve("sequence.onnx");
        Files.write(file, m.build().toByteArray());
        Path input = dir.resolve("x.npy");
        Npy.write(input, TensorValue.zeros("x", new long[] {1, 3, 4, 4}));
        for (CliRun run : List.of(CliRun.of("predict", file.toString(), "--input-npy", input.toString()),
                CliRun.of("layers", file.toString()))) {
            assertThat(run.code()).as(run.err()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).contains(file.toString(), "is a sequence, not a tensor");
        }
    }
}
