package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.Manifest;
import io.dnnvis.testdata.TestData;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class TracerTest {

    @Test
    void everyLayerOfAlexnetMiniTracesWithTheShapeLayersReports() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("alexnet-mini"));
        TensorValue input = Npy.read(TestData.referenceInput("alexnet-mini"), "input");
        try (Tracer tracer = Tracer.open(model)) {
            LayerTable table = LayerTable.of(tracer, input.shape());
            assertThat(table.rows()).hasSize(model.graph().nodes().size());
            for (LayerTable.Row row : table.rows()) {
                Trace t = tracer.trace(input, List.of(row.alias()));
                assertThat(t.shape(row.tensor())).as(row.alias()).containsExactly(row.shape());
            }
            assertThat(table.rows().stream().map(LayerTable.Row::alias)).contains("conv1", "conv5", "lrn1", "lrn2",
                    "maxpool1", "maxpool3", "gemm1", "gemm3");
        }
    }

    @Test
    void shapesEqualTheManifest() {
        for (Manifest.ReferenceCase c : TestData.manifest().cases()) {
            OnnxModel model = OnnxModel.load(c.model());
            try (Tracer tracer = Tracer.open(model)) {
                Trace t = tracer.trace(Npy.read(c.input(), "x"), List.of(c.layer().alias()));
                assertThat(t.shape(c.layer().tensor())).as(c.id()).containsExactly(c.layer().shape());
            }
        }
    }

    @Test
    void outputEqualsAPlainOnnxRuntimeRunBitForBit() throws Exception {
        Path file = TestData.referenceModel("alexnet-mini");
        OnnxModel model = OnnxModel.load(file);
        TensorValue input = Npy.read(TestData.referenceInput("alexnet-mini"), "input");
        float[] plain;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(Files.readAllBytes(file), new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
                OrtSession.Result r = session.run(Map.of("input", in))) {
            FloatBuffer b = ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer();
            plain = new float[b.remaining()];
            b.get(plain);
        }
        try (Tracer tracer = Tracer.open(model)) {
            List<String> everyLayer = model.graph().layers().stream().map(Layer::alias).toList();
            Trace traced = tracer.trace(input, everyLayer);
            assertThat(traced.get("logits").data()).containsExactly(plain);
            assertThat(tracer.run(input).get("logits").data()).containsExactly(plain);
        }
    }

    @Test
    void sessionsAreCachedPerSetOfTracedTensors() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        try (Tracer tracer = Tracer.open(model)) {
            Trace a = tracer.trace(input, List.of("conv2"));
            Trace b = tracer.trace(input, List.of("/features/features.3/Conv_output_0"));
            Trace c = tracer.trace(input, List.of("/features/features.3/Conv"));
            assertThat(tracer.sessionCount()).isEqualTo(1);
            assertThat(b.get("/features/features.3/Conv_output_0"))
                    .isEqualTo(a.get("/features/features.3/Conv_output_0"))
                    .isEqualTo(c.get("/features/features.3/Conv_output_0"));
            tracer.trace(input, List.of("conv1", "relu1"));
            assertThat(tracer.sessionCount()).isEqualTo(2);
        }
    }

    @Test
    void traceValuesAreAvailableAsNd4jArrays() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        try (Tracer tracer = Tracer.open(model)) {
            Trace t = tracer.trace(input, List.of("relu1"));
            String tensor = model.graph().layer("relu1").tensor();
            INDArray a = t.array(tensor);
            assertThat(a.shape()).containsExactly(t.shape(tensor));
            float[] values = t.get(tensor).data();
            assertThat(a.getFloat(0, 3, 5, 7)).isEqualTo(values[((3 * 28) + 5) * 28 + 7]);
            assertThat(a.minNumber().floatValue()).isGreaterThanOrEqualTo(0f);
        }
    }

    @Test
    void realPaddlePaddleModelLoadsAndTraces(@TempDir Path dir) {
        Path file = TestData.copyResource(TestData.PADDLE_CLS_RESOURCE, dir);
        OnnxModel model = OnnxModel.load(file);
        Random random = new Random(7);
        float[] data = new float[3 * 48 * 192];
        for (int k = 0; k < data.length; k++) {
            data[k] = random.nextFloat() * 2 - 1;
        }
        TensorValue input = new TensorValue("x", new long[] {1, 3, 48, 192}, data);
        try (Tracer tracer = Tracer.open(model)) {
            LayerTable table = LayerTable.of(tracer, input.shape());
            assertThat(table.rows()).allSatisfy(r -> assertThat(r.tensor()).isNotEmpty());
            Trace t = tracer.trace(input, List.of("conv1", "hardsigmoid1"));
            assertThat(t.shape(model.graph().layer("conv1").tensor())).hasSize(4);
            String out = model.graph().outputs().get(0).name();
            float[] probabilities = t.get(out).data();
            assertThat(probabilities).hasSize(2);
            assertThat(probabilities[0] + probabilities[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void refusesInputsOfTheWrongShapeWithOneLine() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("resnet-mini"));
        try (Tracer tracer = Tracer.open(model)) {
            TensorValue wrong = TensorValue.zeros("x", new long[] {2, 3, 64, 64});
            assertThatThrownBy(() -> tracer.run(wrong)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("resnet-mini.onnx: input 'input' expects shape [1, 3, 64, 64], got [2, 3, 64, 64]");
            assertThatThrownBy(() -> tracer.trace(Map.of("nope", wrong), List.of()))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("no value given for input 'input'");
        }
    }

    @Test
    void unknownLayerNamesTheNearestOnes() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        try (Tracer tracer = Tracer.open(model)) {
            assertThatThrownBy(() -> tracer.trace(input, List.of("conv9")))
                    .hasMessageStartingWith("no layer 'conv9'").hasMessageContaining("nearest: conv1, conv2");
        }
    }

    @Test
    void cudaWithoutTheGpuBuildSaysHowToGetIt() {
        assumeFalse(OrtSessions.cudaAvailable(), "this build has CUDA");
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        try (Tracer tracer = Tracer.open(model, EngineOptions.defaults().withProvider(ExecutionProvider.CUDA))) {
            assertThatThrownBy(() -> tracer.run(input)).isInstanceOf(EngineException.class)
                    .hasMessageContaining("mvn -Pgpu package");
        }
    }

    @Test
    void aClosedTracerRefusesWork() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        Tracer tracer = Tracer.open(model);
        tracer.run(input);
        tracer.close();
        tracer.close();
        assertThatThrownBy(() -> tracer.run(input)).isInstanceOf(IllegalStateException.class);
    }
}
