package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.testdata.Manifest;
import io.dnnvis.testdata.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayersCommandTest {

    @Test
    void jsonListsEveryAliasWithTheManifestTensorsAndShapes() throws Exception {
        for (String name : List.of("lenet", "alexnet-mini", "resnet-mini")) {
            CliRun run = CliRun.of("layers", TestData.referenceModel(name).toString(), "--json");
            assertThat(run.code()).as(run.err()).isZero();
            JsonNode root = new ObjectMapper().readTree(run.out());
            Map<String, JsonNode> byAlias = new HashMap<>();
            for (JsonNode layer : root.get("layers")) {
                byAlias.put(layer.get("alias").asText(), layer);
            }
            for (Manifest.ReferenceCase c : TestData.manifest().cases()) {
                if (!c.modelName().equals(name)) {
                    continue;
                }
                JsonNode layer = byAlias.get(c.layer().alias());
                assertThat(layer).as(c.id()).isNotNull();
                assertThat(layer.get("tensor").asText()).isEqualTo(c.layer().tensor());
                assertThat(layer.get("node").asText()).isEqualTo(c.layer().node());
                assertThat(layer.get("op").asText()).isEqualTo(c.layer().op());
                List<Long> shape = new ArrayList<>();
                layer.get("shape").forEach(d -> shape.add(d.asLong()));
                assertThat(shape).as(c.id()).containsExactly(box(c.layer().shape()));
            }
        }
    }

    /** A weight behind a Cast (float16 weights) or an Identity is counted by the layer that uses it, not by the Cast. */
    @Test
    void aWeightBehindACastCountsForTheLayerThatUsesIt(@TempDir Path dir) throws Exception {
        io.dnnvis.modelbuild.ModelBuilder b = io.dnnvis.modelbuild.ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 8, 8);
        String w = b.randomInitializer("w", new java.util.Random(1), 0.5, 4, 3, 3, 3);
        String cast = b.node("Cast", List.of(b.node("Identity", List.of(w))),
                io.dnnvis.onnx.build.OnnxProtos.intAttr("to", 1));
        b.output(b.node("Conv", List.of(x, cast), io.dnnvis.onnx.build.OnnxProtos.intsAttr("kernel_shape", 3, 3)));
        Path model = dir.resolve("cast.onnx");
        b.write(model);
        CliRun run = CliRun.of("layers", model.toString(), "--json");
        assertThat(run.code()).as(run.err()).isZero();
        Map<String, Long> params = new HashMap<>();
        new ObjectMapper().readTree(run.out()).get("layers")
                .forEach(l -> params.put(l.get("op").asText(), l.get("params").asLong()));
        assertThat(params).containsEntry("Conv", 4L * 3 * 3 * 3).containsEntry("Cast", 0L).containsEntry("Identity", 0L);
    }

    /**
     * Shapes handed on by a Cast to an integer type or an Identity are not parameters, and a long
     * chain of Identities before a weight is followed a few steps only (no stack overflow).
     */
    @Test
    void castShapesAreNotParametersAndLongChainsAreNotFollowed(@TempDir Path dir) throws Exception {
        io.dnnvis.modelbuild.ModelBuilder b = io.dnnvis.modelbuild.ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 8, 8);
        String shape = b.node("Cast", List.of(b.initializerLongs("s", new long[] {2}, new long[] {1, 144})),
                io.dnnvis.onnx.build.OnnxProtos.intAttr("to", 7));
        String w = b.randomInitializer("w", new java.util.Random(1), 0.5, 4, 3, 3, 3);
        for (int k = 0; k < 20_000; k++) {
            w = b.node("Identity", List.of(w));
        }
        String conv = b.node("Conv", List.of(x, w), io.dnnvis.onnx.build.OnnxProtos.intsAttr("kernel_shape", 3, 3));
        b.output(b.node("Reshape", List.of(conv, shape)));
        Path model = dir.resolve("shapes.onnx");
        b.write(model);
        CliRun run = CliRun.of("layers", model.toString(), "--json", "--all");
        assertThat(run.code()).as(run.err()).isZero();
        Map<String, Long> params = new HashMap<>();
        new ObjectMapper().readTree(run.out()).get("layers")
                .forEach(l -> params.merge(l.get("op").asText(), l.get("params").asLong(), Long::sum));
        assertThat(params).containsEntry("Cast", 0L).containsEntry("Reshape", 0L).containsEntry("Identity", 0L);
    }

    @Test
    void alexnetMiniHasTheIssuesAliases() throws Exception {
        CliRun run = CliRun.of("layers", TestData.referenceModel("alexnet-mini").toString(), "--json");
        JsonNode root = new ObjectMapper().readTree(run.out());
        List<String> aliases = new ArrayList<>();
        root.get("layers").forEach(l -> aliases.add(l.get("alias").asText()));
        assertThat(aliases).contains("conv1", "conv2", "conv3", "conv4", "conv5", "lrn1", "lrn2", "maxpool1",
                "maxpool2", "maxpool3", "gemm1", "gemm2", "gemm3");
        assertThat(root.get("inputs").get(0).get("name").asText()).isEqualTo("input");
        assertThat(root.get("inputs").get(0).get("shape").toString()).isEqualTo("[1,3,224,224]");
        List<String> keys = new ArrayList<>();
        root.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("inputs", "layers", "shapes");
        assertThat(root.get("shapes").asText()).isEqualTo("inferred");
        for (JsonNode layer : root.get("layers")) {
            List<String> fields = new ArrayList<>();
            layer.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("alias", "node", "op", "tensor", "shape", "attributes", "params");
        }
    }

    @Test
    void jsonEscapesNamesFromTheModel() throws Exception {
        String name = "in\"put\\\n\u0001\u2028";
        JsonNode input = new ObjectMapper().readTree(Json.write(new LayersCommand.InputJson(name, new long[] {1, 3})));
        assertThat(input.get("name").asText()).isEqualTo(name);
        assertThat(input.get("shape").toString()).isEqualTo("[1,3]");
    }

    @Test
    void inputShapeSetsTheDynamicBatch() throws Exception {
        CliRun run = CliRun.of("layers", TestData.referenceModel("lenet").toString(), "--json",
                "--input-shape", "4,3,32,32");
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.get("inputs").get(0).get("shape").toString()).isEqualTo("[4,3,32,32]");
        for (JsonNode l : root.get("layers")) {
            assertThat(l.get("shape").get(0).asLong()).as(l.get("alias").asText()).isEqualTo(4);
        }
    }

    @Test
    void tableNamesTheModelAndEveryNode() {
        CliRun run = CliRun.of("layers", TestData.glyphNet().toString());
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("glyphnet.onnx: opset 13")
                .contains("input  image [1, 3, 64, 64]")
                .containsPattern("conv4 +\\S+ +Conv +\\S+ +\\[1, \\d+, \\d+, \\d+\\]");
    }

    @Test
    void missingFileIsBadInputWithOneLine() {
        CliRun run = CliRun.of("layers", "missing.onnx");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("error: missing.onnx: file not found" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void textFileIsNotAnOnnxModel(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# dnnvis\n\nSee what the neurons of an ONNX CNN respond to.\n");
        CliRun run = CliRun.of("layers", readme.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).startsWith("error: " + readme + ": not an ONNX model");
    }

    @Test
    void badOptionsAreBadInputWithOneLine() {
        CliRun shape = CliRun.of("layers", TestData.referenceModel("lenet").toString(), "--input-shape", "1,x");
        assertThat(shape.code()).isEqualTo(2);
        assertThat(shape.oneErrorLine()).as(shape.err()).isTrue();
        assertThat(shape.err()).contains("'1,x' is not a shape");
        CliRun missing = CliRun.of("layers");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.oneErrorLine()).as(missing.err()).isTrue();
        CliRun device = CliRun.of("layers", TestData.referenceModel("lenet").toString(), "--device", "tpu");
        assertThat(device.code()).isEqualTo(2);
        assertThat(device.err()).isEqualTo("error: --device: unknown execution provider 'tpu' (cpu or cuda)"
                + System.lineSeparator());
    }

    @Test
    void versionAndHelp() {
        CliRun version = CliRun.of("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).matches("dnnvis \\d+\\.\\d+\\.\\d+.*\\R");
        CliRun help = CliRun.of("layers", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--input-shape", "--json", "MODEL");
        CliRun none = CliRun.of();
        assertThat(none.code()).isEqualTo(2);
    }

    private static Long[] box(long[] values) {
        Long[] out = new Long[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k];
        }
        return out;
    }
}
