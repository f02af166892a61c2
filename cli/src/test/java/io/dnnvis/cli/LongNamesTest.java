package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error lines quote names from a model cut to a readable length, and foreign messages too. */
class LongNamesTest {

    private static final String LONG = "n".repeat(100_000);

    @TempDir
    Path dir;

    @Test
    void anUnknownOpWithAHugeNodeNameGivesOneShortLine() throws Exception {
        ModelBuilder b = ModelBuilder.create(13).name("unknown");
        b.output(b.node("NoSuchOpAnywhere", List.of(b.relu(b.input("x", 1, 3, 4, 4)))));
        Path file = write(renamed(b.build(), 1, LONG), "unknown.onnx");
        CliRun run = CliRun.of("layers", file.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).isTrue();
        assertThat(run.err().strip().length()).isLessThan(Quoted.LINE_LENGTH);
        assertThat(run.err()).contains(file.toString());
    }

    @Test
    void aNodeNameAsLayerThatIsNotThereIsCut() throws Exception {
        ModelBuilder b = ModelBuilder.create(13).name("relus");
        b.output(b.relu(b.relu(b.input("x", 1, 3, 4, 4))));
        Path file = write(renamed(b.build(), 0, LONG), "relus.onnx");
        CliRun run = CliRun.of("visualize", file.toString(), "--layer", LONG + "x", "--neuron", "0",
                "--input-npy", input().toString(), "-o", dir.resolve("out").toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).isTrue();
        assertThat(run.err()).contains("no layer 'nnnn", "…'").hasSizeLessThan(2 * Quoted.NAME_LENGTH + 300);
    }

    @Test
    void aHugeTargetNameIsCutWhereTheBackwardPassRefusesIt() throws Exception {
        ModelBuilder b = ModelBuilder.create(13).name("unsupported");
        String x = b.input("x", 1, 3, 4, 4);
        b.output(b.relu(b.node("Hardmax", List.of(b.relu(x)))));
        Path file = write(renamed(b.build(), 1, LONG), "erf.onnx");
        CliRun run = CliRun.of("visualize", file.toString(), "--layer", "relu2", "--neuron", "0",
                "--input-npy", input().toString(), "-o", dir.resolve("out").toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).isTrue();
        assertThat(run.err()).contains("Hardmax", "'nnnn", "…'").hasSizeLessThan(Quoted.LINE_LENGTH);
    }

    @Test
    void theLayersTableCutsAHugeNodeNameAndJsonKeepsItWhole() throws Exception {
        ModelBuilder b = ModelBuilder.create(13).name("relus");
        b.output(b.relu(b.relu(b.input("x", 1, 3, 4, 4))));
        Path file = write(renamed(b.build(), 0, LONG), "relus.onnx");
        CliRun table = CliRun.of("layers", file.toString());
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).contains("n".repeat(LayersCommand.SHOWN_NAME_LENGTH - 1) + "… (100000 characters)")
                .doesNotContain("n".repeat(LayersCommand.SHOWN_NAME_LENGTH)).hasSizeLessThan(2_000);
        CliRun json = CliRun.of("layers", file.toString(), "--json");
        assertThat(json.code()).as(json.err()).isZero();
        assertThat(json.out()).contains("\"" + LONG + "\"");
    }

    private static ModelProto renamed(ModelProto model, int node, String name) {
        ModelProto.Builder m = model.toBuilder();
        m.getGraphBuilder().getNodeBuilder(node).setName(name);
        return m.build();
    }

    private Path input() throws Exception {
        Path file = dir.resolve("x.npy");
        float[] values = new float[48];
        java.util.Arrays.fill(values, 0.5f);
        Npy.write(file, TensorValue.owning("x", new long[] {1, 3, 4, 4}, values));
        return file;
    }

    private Path write(ModelProto model, String name) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, model.toByteArray());
        return file;
    }
}
