package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.StartSignal;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three backward nets at the layers of models nobody in this project wrote (ConvNeXt exported at
 * opsets 13 and 17, LR-ASPP, PaddleOCR's recognizers and text detectors): every method compiles and gives a finite map of
 * the input's shape, and SaliNet is the gradient (finite differences in a random direction).
 *
 * <p>By default a spread of layers of each model (the first and last on the signal path and evenly
 * spaced ones between); {@code -Ddnnvis.conformance.everyLayer=true} runs every layer, and
 * {@code -Ddnnvis.conformance=DIR} adds the large suite (ConvNeXt-Tiny, LR-ASPP MobileNetV3-Large) that
 * {@code make_conformance.py DIR --large} wrote; {@code -Ddnnvis.conformance.models=a,b} keeps the models
 * whose file names contain one of those.
 */
class EveryLayerTest {

    private static final int SPREAD = 5;

    /** Ops whose outputs are shapes, indices or masks: no signal flows back through them. */
    private static final Set<String> NOT_ON_THE_SIGNAL_PATH = Set.of("Shape", "Size", "ConstantOfShape", "NonZero",
            "ArgMax", "ArgMin", "Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "Not", "And", "Or",
            "Xor", "IsNaN", "IsInf", "Range");

    @TempDir
    static Path dir;

    static Stream<Arguments> layers() {
        List<Arguments> all = new ArrayList<>();
        for (String name : List.of("convnext_mini_op13", "convnext_mini_op17", "lraspp_mini")) {
            Path model = TestData.file("conformance/models/" + name + ".onnx");
            all.addAll(arguments(model, new long[] {1, 3, 64, 64}));
        }
        for (String resource : List.of("models/ch_PP-OCRv3_rec_infer.onnx", "models/ch_PP-OCRv4_rec_infer.onnx")) {
            all.addAll(arguments(TestData.copyResource(resource, dir), new long[] {1, 3, 48, 160}));
        }
        for (String resource : List.of("models/ch_PP-OCRv3_det_infer.onnx", "models/ch_PP-OCRv4_det_infer.onnx")) {
            all.addAll(arguments(TestData.copyResource(resource, dir), new long[] {1, 3, 64, 64}));
        }
        for (Path model : TestData.largeConformanceModels()) {
            all.addAll(arguments(model, new long[] {1, 3, 224, 224}));
        }
        return all.stream();
    }

    private static List<Arguments> arguments(Path model, long[] shape) {
        String only = System.getProperty("dnnvis.conformance.models", "");
        if (!only.isBlank() && java.util.Arrays.stream(only.split(","))
                .noneMatch(m -> model.getFileName().toString().contains(m.strip()))) {
            return List.of();
        }
        List<Layer> path = signalPath(OnnxModel.load(model).graph());
        List<Layer> chosen = Boolean.getBoolean("dnnvis.conformance.everyLayer") ? path
                : IntStream.range(0, SPREAD).mapToObj(k -> path.get(k * (path.size() - 1) / (SPREAD - 1))).distinct()
                        .toList();
        return chosen.stream().map(l -> Arguments.of(model.getFileName().toString(), l.alias(), model, shape)).toList();
    }

    /** The layers whose values depend on the (first) input through ops a signal can flow back through. */
    static List<Layer> signalPath(Graph graph) {
        Set<String> reached = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(graph.inputs().get(0).name());
        reached.add(graph.inputs().get(0).name());
        Set<Node> nodes = new HashSet<>();
        while (!todo.isEmpty()) {
            for (Node n : graph.consumers(todo.pop())) {
                if (!NOT_ON_THE_SIGNAL_PATH.contains(n.opType()) && nodes.add(n)) {
                    for (String out : n.outputs()) {
                        if (reached.add(out)) {
                            todo.add(out);
                        }
                    }
                }
            }
        }
        return graph.layers().stream().filter(l -> nodes.contains(l.node())).toList();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layers")
    void everyMethodRunsAndSaliNetIsTheGradient(String modelName, String layer, Path model, long[] shape) {
        try (Visualizer vis = Visualizer.open(OnnxModel.load(model), EngineOptions.defaults())) {
            TensorValue input = randomInput(vis.model().graph().inputs().get(0).name(), shape);
            java.util.Optional<int[]> image = vis.imageAxes(vis.model().graph().layer(layer).tensor(), shape);
            if (image.isPresent() && (image.get()[0] != 2 || image.get()[1] != 3)) {
                // a layer with its channels last (ConvNeXt's Linear layers): neurons there would be rows
                assertThatThrownBy(() -> vis.method(BackwardMethod.SALINET).layer(layer).neurons(0).run(input))
                        .isInstanceOf(io.dnnvis.methods.core.BadRequestException.class)
                        .hasMessageContaining("(its channels last)");
                return;
            }
            for (BackwardMethod method : BackwardMethod.values()) {
                // the activation start: a ones start over a Softmax output sums lines that are always 1 (refused)
                Reconstruction r = vis.method(method).layer(layer).neurons(0).start(StartSignal.ACTIVATION).run(input);
                assertThat(r.tensor().shape()).as("%s %s", layer, method).containsExactly(shape);
                for (float v : r.tensor().data()) {
                    assertThat(Float.isFinite(v)).as("%s %s", layer, method).isTrue();
                }
                if (method == BackwardMethod.SALINET) {
                    checkDirectionalDerivative(vis, vis.model().graph().layer(layer).tensor(), input,
                            r.tensor().data());
                }
            }
        }
    }

    /**
     * SaliNet with the activation start is the gradient of half the sum of squares of channel 0: its inner
     * product with a random direction v ~ N(0, I) equals the central difference of that score along v.
     * The inner product has standard deviation |g|, so the error is measured on that scale, plus what the
     * forward pass's own float32 accuracy makes of a difference quotient: each value t within
     * 1e-6·|t| + 1e-7 (ONNX Runtime's Sigmoid, Erf, Exp are approximations, whose absolute error
     * dominates in a saturated Sigmoid's tail).
     */
    private static void checkDirectionalDerivative(Visualizer vis, String tensor, TensorValue input, float[] gradient) {
        double norm = 0;
        for (float g : gradient) {
            norm += (double) g * g;
        }
        norm = Math.sqrt(norm);
        Random random = new Random(5);
        float[] v = new float[gradient.length];
        double analytic = 0;
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) random.nextGaussian();
            analytic += (double) gradient[k] * v[k];
        }
        // the recognizers are far from linear on random input (Clip, HardSwish, Relu kinks, decomposed
        // LayerNorm): the central difference converges to the gradient only below ~3e-4, and float32
        // rounding takes over below ~3e-5
        float eps = 1e-4f;
        double[] plus = channelZeroScore(vis, tensor, shifted(input, v, eps));
        double[] minus = channelZeroScore(vis, tensor, shifted(input, v, -eps));
        double numeric = (plus[0] - minus[0]) / (2 * eps);
        double rounding = (plus[1] + minus[1]) / (2 * eps);
        assertThat(Math.abs(numeric - analytic)).as("%s: analytic %s, numeric %s", tensor, analytic, numeric)
                .isLessThanOrEqualTo(0.03 * norm + 4 * rounding);
    }

    private static TensorValue shifted(TensorValue input, float[] v, float eps) {
        float[] x = input.data();
        for (int k = 0; k < x.length; k++) {
            x[k] += eps * v[k];
        }
        return new TensorValue(input.name(), input.shape(), x);
    }

    /**
     * Half the sum of squares of channel 0 (axis 1 index 0) of {@code tensor} for a batch of one, and
     * how far the forward pass's float32 accuracy can move it.
     */
    private static double[] channelZeroScore(Visualizer vis, String tensor, TensorValue x) {
        io.dnnvis.trace.Trace t = vis.tracer().trace(x, List.of(tensor));
        float[] values = t.get(tensor).data();
        long[] shape = t.shape(tensor);
        int per = (int) (values.length / shape[1]);
        double sum = 0;
        double error = 0;
        for (int k = 0; k < per; k++) {
            double value = values[k];
            sum += 0.5 * value * value;
            error += Math.abs(value) * (1e-6 * Math.abs(value) + 1e-7);
        }
        return new double[] {sum, error};
    }

    static TensorValue randomInput(String name, long[] shape) {
        Random random = new Random(17);
        float[] data = new float[Math.toIntExact(shape[0] * shape[1] * shape[2] * shape[3])];
        for (int k = 0; k < data.length; k++) {
            data[k] = (float) random.nextGaussian();
        }
        return new TensorValue(name, shape, data);
    }
}
