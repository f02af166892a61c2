package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.testdata.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layers} says whether its shapes were inferred or come from a run on zeros. */
class LayersShapeSourceTest {

    @TempDir
    Path dir;

    @Test
    void staticGraphsAreInferredWithoutARun() throws Exception {
        CliRun table = CliRun.of("layers", TestData.referenceModel("alexnet-mini").toString());
        assertThat(table.out().lines().findFirst().orElseThrow()).endsWith("; shapes inferred, not run");
        CliRun json = CliRun.of("layers", TestData.referenceModel("alexnet-mini").toString(), "--json");
        assertThat(new ObjectMapper().readTree(json.out()).get("shapes").asText()).isEqualTo("inferred");
    }

    @Test
    void shapesThatDependOnDataComeFromARunOnZeros() throws Exception {
        ModelBuilder b = ModelBuilder.create(13).name("nonzero");
        String x = b.input("x", 1, 3, 4, 4);
        b.output(b.node("NonZero", List.of(b.relu(x))));
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().getOutputBuilder(0).clearType(); // NonZero gives int64
        Path file = dir.resolve("nonzero.onnx");
        Files.write(file, m.build().toByteArray());
        CliRun table = CliRun.of("layers", file.toString());
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out().lines().findFirst().orElseThrow()).endsWith("; shapes from a run on zeros");
        JsonNode root = new ObjectMapper().readTree(CliRun.of("layers", file.toString(), "--json").out());
        assertThat(root.get("shapes").asText()).isEqualTo("run");
        JsonNode nonzero = root.get("layers").get(1);
        assertThat(nonzero.get("op").asText()).isEqualTo("NonZero");
        assertThat(nonzero.get("shape").toString()).isEqualTo("[4,0]"); // zeros: no element is non-zero
    }
}
