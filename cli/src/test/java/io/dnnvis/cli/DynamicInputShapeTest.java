package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.modelbuild.TargetModels;
import io.dnnvis.testdata.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layers} and {@code bench} never take 1 for a dynamic height or width. */
class DynamicInputShapeTest {

    @TempDir
    Path dir;

    private Path dynamicModel(String metadataKey, String metadataValue) throws Exception {
        ModelBuilder b = TargetModels.segmentation(true);
        if (metadataKey != null) {
            b.metadata(metadataKey, metadataValue);
        }
        Path file = dir.resolve("dynamic" + (metadataKey == null ? "" : "-" + metadataKey) + ".onnx");
        b.write(file);
        return file;
    }

    private static JsonNode json(CliRun run) throws Exception {
        assertThat(run.code()).as(run.err()).isZero();
        return new ObjectMapper().readTree(run.out());
    }

    private static String lastShape(JsonNode layers) {
        JsonNode rows = layers.get("layers");
        return rows.get(rows.size() - 1).get("shape").toString();
    }

    @Test
    void aDynamicHeightAndWidthNeedASizeFromTheOptionsOrTheMetadata() throws Exception {
        Path model = dynamicModel(null, null);
        for (CliRun refused : new CliRun[] {CliRun.of("layers", model.toString()),
                CliRun.of("bench", model.toString(), "--layer", "conv1", "--repeat", "1", "--warmup", "0")}) {
            assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(2);
            assertThat(refused.oneErrorLine()).as(refused.err()).isTrue();
            assertThat(refused.err()).contains("dynamic.onnx: input 'x' has dynamic dimensions [N, 3, N, N]; give "
                    + "--input-shape N,C,H,W or --input-size HxW");
        }
        JsonNode sized = json(CliRun.of("layers", model.toString(), "--json", "--input-size", "12x10"));
        assertThat(sized.get("inputs").get(0).get("shape").toString()).isEqualTo("[1,3,12,10]");
        assertThat(lastShape(sized)).isEqualTo("[1,3,12,10]");
        JsonNode shaped = json(CliRun.of("layers", model.toString(), "--json", "--input-shape", "2,3,6,9"));
        assertThat(lastShape(shaped)).isEqualTo("[2,3,6,9]");
        JsonNode fromMetadata = json(CliRun.of("layers", dynamicModel("input_size", "16x20").toString(), "--json"));
        assertThat(lastShape(fromMetadata)).isEqualTo("[1,3,16,20]");
        JsonNode fromText = json(CliRun.of("layers", dynamicModel("input", "RGB, NCHW, 7x5, [0,1]").toString(), "--json"));
        assertThat(lastShape(fromText)).isEqualTo("[1,3,7,5]");
        JsonNode bench = json(CliRun.of("bench", model.toString(), "--layer", "conv2", "--method", "salinet",
                "--neuron", "0", "--input-size", "9x11", "--repeat", "1", "--warmup", "0", "--json"));
        assertThat(bench.get("input_shape").toString()).isEqualTo("[1,3,9,11]");
    }

    @Test
    void fixedShapesAndADynamicBatchAloneRunAsBefore() throws Exception {
        JsonNode glyph = json(CliRun.of("layers", TestData.glyphNet().toString(), "--json"));
        assertThat(glyph.get("inputs").get(0).get("shape").toString()).isEqualTo("[1,3,64,64]");
        ModelBuilder b = ModelBuilder.create(13).name("batch");
        b.output(b.relu(b.input("x", -1, 2, 3, 3)));
        Path batch = dir.resolve("batch.onnx");
        b.write(batch);
        CliRun run = CliRun.of("layers", batch.toString(), "--json");
        assertThat(json(run).get("inputs").get(0).get("shape").toString()).isEqualTo("[1,2,3,3]");
        assertThat(run.err()).isEmpty();
    }
}
