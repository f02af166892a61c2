package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.testdata.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Smoke tests of {@code dnnvis bench} on LeNet: it runs, the JSON parses, the numbers are sane. No timing limits. */
class BenchCommandTest {

    private static final String LENET = TestData.referenceModel("lenet").toString();
    private static final List<String> TIMES = List.of("median_ms", "forward_median_ms", "session_ms", "min_ms",
            "max_ms");
    /** The keys after the work's (docs/performance.md), in order. */
    private static final List<String> MEASURES = List.of("input_shape", "threads", "warmup", "repeat", "session_ms",
            "median_ms", "min_ms", "max_ms", "forward_median_ms", "open_ms", "forward_session_ms", "peak_heap_mb",
            "peak_rss_mb", "rss_after_warmup_mb", "rss_end_mb");

    @Test
    void desaliNetJsonHasEveryKeyAndSaneNumbers() throws Exception {
        CliRun run = CliRun.of("bench", LENET, "--layer", "conv2", "--method", "desalinet", "--neuron", "1,3",
                "--repeat", "3", "--warmup", "1", "--threads", "1", "--json");

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        for (String key : TIMES) {
            assertThat(json.get(key)).as(key).isNotNull();
            assertThat(json.get(key).asDouble()).as(key).isPositive();
        }
        assertThat(json.get("repeat").asInt()).isEqualTo(3);
        assertThat(json.get("median_ms").asDouble()).isBetween(json.get("min_ms").asDouble(),
                json.get("max_ms").asDouble());
        assertThat(json.get("peak_heap_mb").asDouble()).isPositive();
        for (String key : List.of("peak_rss_mb", "rss_after_warmup_mb", "rss_end_mb")) {
            assertThat(json.get(key)).as(key).isNotNull();
            assertThat(json.get(key).isNull() || json.get(key).asDouble() > 0).as(key).isTrue();
        }
        assertThat(json.get("neurons").asInt()).isEqualTo(2);
        assertThat(json.get("method").asText()).isEqualTo("desalinet");
        assertThat(json.get("layer").asText()).isEqualTo("conv2");
        assertThat(fieldNames(json)).containsExactlyElementsOf(keys("neurons"));
        assertThat(json.get("input_shape").toString()).isEqualTo("[1,3,32,32]");
        assertThat(run.out()).as("times with three decimals").containsPattern("\"median_ms\":\\d+\\.\\d{3},");
    }

    @Test
    void occlusionAndAllNeuronsRunAndTextNamesTheNumbers() throws Exception {
        CliRun occlusion = CliRun.of("bench", LENET, "--layer", "conv2", "--method", "occlusion", "--window", "5",
                "--stride", "8", "--repeat", "2", "--warmup", "0", "--json");
        CliRun all = CliRun.of("bench", LENET, "--layer", "relu1", "--method", "salinet", "--neuron", "all",
                "--repeat", "1", "--warmup", "0");

        assertThat(occlusion.code()).as(occlusion.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(occlusion.out());
        assertThat(json.get("windows").asInt()).isPositive();
        assertThat(fieldNames(json)).containsExactlyElementsOf(keys("window", "stride", "windows", "batch", "path"));
        assertThat(json.get("path").asText()).matches("full|incremental: .* nodes patched in .*");
        assertThat(json.get("window").asInt()).isEqualTo(5);
        assertThat(json.get("stride").asInt()).isEqualTo(8);
        assertThat(json.get("method").asText()).isEqualTo("occlusion");
        assertThat(json.get("median_ms").asDouble()).isPositive();
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).contains("first call", "median", "forward", "peak heap", "peak RSS", "salinet");
    }

    /**
     * Without {@code --layer} the backward nets and layer occlusion time the layer class activation
     * maps default to (README), and score occlusion the output holding its score.
     */
    @Test
    void withoutALayerTheDefaultLayerOrTheScoresOutputIsTimed() throws Exception {
        String expected;
        try (io.dnnvis.methods.Visualizer vis = io.dnnvis.methods.Visualizer.open(java.nio.file.Path.of(LENET))) {
            expected = vis.defaultCamLayer(new io.dnnvis.trace.TensorValue(
                    vis.model().graph().inputs().get(0).name(), new long[] {1, 3, 32, 32}, new float[3 * 32 * 32]));
        }
        ObjectMapper mapper = new ObjectMapper();
        for (List<String> method : List.of(List.of("--method", "desalinet"),
                List.of("--method", "occlusion", "--window", "5", "--stride", "8"))) {
            List<String> args = new ArrayList<>(List.of("bench", LENET, "--repeat", "1", "--warmup", "0", "--json"));
            args.addAll(method);
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(mapper.readTree(run.out()).get("layer").asText()).as("%s", method).isEqualTo(expected);
        }
        CliRun score = CliRun.of("bench", LENET, "--method", "occlusion", "--window", "5", "--stride", "8", "--target",
                "class:1", "--repeat", "1", "--warmup", "0", "--json");
        assertThat(score.code()).as(score.err()).isZero();
        io.dnnvis.onnx.OnnxModel lenet = io.dnnvis.onnx.OnnxModel.load(java.nio.file.Path.of(LENET));
        io.dnnvis.onnx.Layer output = lenet.graph().layerOfTensor(lenet.graph().outputs().get(0).name());
        assertThat(mapper.readTree(score.out()).get("layer").asText())
                .isIn(output.alias(), output.tensor(), output.node().name());
    }

    private static List<String> keys(String... work) {
        List<String> keys = new ArrayList<>(List.of("model", "layer", "method"));
        keys.addAll(List.of(work));
        keys.addAll(MEASURES);
        return keys;
    }

    private static List<String> fieldNames(JsonNode json) {
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void badRequestsExitTwoWithOneLine() {
        CliRun noWindow = CliRun.of("bench", LENET, "--layer", "conv2", "--method", "occlusion");
        CliRun unknownBuiltin = CliRun.of("bench", "builtin:googlenet", "--layer", "conv1");
        CliRun badNeuron = CliRun.of("bench", LENET, "--layer", "conv2", "--neuron", "999", "--repeat", "1");

        for (CliRun run : List.of(noWindow, unknownBuiltin, badNeuron)) {
            assertThat(run.code()).as(run.err()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        }
        assertThat(noWindow.err()).contains("--window");
        assertThat(unknownBuiltin.err()).contains("alexnet, vgg16, resnet50");
    }

    /** A model whose input has a fixed size of 0 has nothing to run: refused in one line, not an internal error. */
    @Test
    void anInputOfSizeZeroIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.util.Random rnd = new java.util.Random(1);
        io.dnnvis.modelbuild.ModelBuilder b = io.dnnvis.modelbuild.ModelBuilder.create(13);
        String x = b.input("x", 0, 3, 8, 8);
        b.output(b.relu(b.conv(x, 3, 4, 3, 1, 1, 1, rnd)));
        java.nio.file.Path model = tmp.resolve("zero.onnx");
        b.write(model);
        CliRun run = CliRun.of("bench", model.toString(), "--layer", "relu1", "--method", "deconvnet", "--repeat", "1",
                "--warmup", "0");
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).contains("zero.onnx").contains("fixed size of 0");
    }
}
