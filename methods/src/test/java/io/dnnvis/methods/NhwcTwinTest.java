package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.occlusion.Fill;
import io.dnnvis.methods.occlusion.OcclusionResult;
import io.dnnvis.methods.core.Target;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.modelbuild.NhwcTwin;
import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An NHWC model (input {@code [1, H, W, 3]}, then a Transpose, as tf2onnx exports) gives the same
 * maps as its NCHW twin for every method: the reconstructions come out NCHW, the occlusion windows
 * slide over rows and columns.
 */
class NhwcTwinTest {

    private static final double TOLERANCE = 1e-5;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(TestData.glyphNet(), TestData.file("inputs/glyph-R.npy"), "conv3"),
                Arguments.of(TestData.referenceModel("alexnet-mini"), TestData.referenceInput("alexnet-mini"),
                        "conv2"));
    }

    private static OnnxModel twin(Path model) {
        return OnnxModel.fromBytes(NhwcTwin.of(model), Path.of("twin-" + model.getFileName()), LoadOptions.defaults());
    }

    /** An NCHW [1, C, H, W] tensor as NHWC [1, H, W, C], written out element by element. */
    static TensorValue toNhwc(TensorValue nchw) {
        long[] s = nchw.shape();
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] in = nchw.data();
        float[] out = new float[in.length];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[(y * w + x) * c + k] = in[(k * h + y) * w + x];
                }
            }
        }
        return new TensorValue(nchw.name(), new long[] {1, h, w, c}, out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyMethodGivesTheSameMapsOnTheTwin(Path modelFile, Path inputFile, String layer) {
        OnnxModel original = OnnxModel.load(modelFile);
        OnnxModel twin = twin(modelFile);
        assertThat(InputLayout.of(original)).isEqualTo(InputLayout.NCHW);
        assertThat(InputLayout.of(twin)).isEqualTo(InputLayout.NHWC);
        TensorValue input = Npy.read(inputFile, original.graph().inputs().get(0).name());
        TensorValue nhwc = toNhwc(input);
        try (Visualizer a = Visualizer.open(original, EngineOptions.defaults());
                Visualizer b = Visualizer.open(twin, EngineOptions.defaults())) {
            assertThat(b.layout()).isEqualTo(InputLayout.NHWC);
            for (BackwardMethod m : BackwardMethod.values()) {
                Reconstruction ra = a.method(m).layer(layer).neurons(0, 3, 5).run(input);
                Reconstruction rb = b.method(m).layer(layer).neurons(0, 3, 5).run(nhwc);
                assertThat(rb.tensor().shape()).as(m.label()).containsExactly(ra.tensor().shape());
                assertThat(ra.tensor().shape()[1]).isEqualTo(input.shape()[1]);
                assertClose(m.label(), rb.tensor().data(), ra.tensor().data());
                assertThat(maxAbs(ra.tensor().data())).as(m.label() + " is not all zeros").isPositive();
            }
            OcclusionResult la = a.occlusion().layer(layer).window(7).stride(6).run(input);
            OcclusionResult lb = b.occlusion().layer(layer).window(7).stride(6).run(nhwc);
            assertThat(lb.shape()).containsExactly(la.shape());
            assertThat(la.shape()[1]).isEqualTo((input.shape()[2] - 1) / 6 + 1);
            assertClose("layer occlusion", lb.tensor().data(), la.tensor().data());

            OcclusionResult sa = a.occlusion().window(9).stride(8).fill(Fill.channelMean()).target(Target.classIndex(1))
                    .run(input);
            OcclusionResult sb = b.occlusion().window(9).stride(8).fill(Fill.channelMean()).target(Target.classIndex(1))
                    .run(nhwc);
            assertThat(sb.shape()).containsExactly(input.shape()[2], input.shape()[3]);
            assertClose("score occlusion", sb.tensor().data(), sa.tensor().data());
            assertThat(maxAbs(sa.tensor().data())).isPositive();
        }
    }

    @Test
    void theLayoutComesFromTheShapeWithoutATransposeAndCanBeOverridden() {
        assertThat(InputLayout.of(shapeOnly(1, 32, 32, 3))).isEqualTo(InputLayout.NHWC);
        assertThat(InputLayout.of(shapeOnly(1, 32, 32, 1))).isEqualTo(InputLayout.NHWC);
        assertThat(InputLayout.of(shapeOnly(1, 3, 32, 32))).isEqualTo(InputLayout.NCHW);
        assertThat(InputLayout.of(shapeOnly(1, 3, 32, 3))).isEqualTo(InputLayout.NCHW);
        assertThat(InputLayout.of(shapeOnly(1, 16, 32, 32))).isEqualTo(InputLayout.NCHW);
        OnnxModel square = shapeOnly(1, 3, 8, 3);
        assertThat(InputLayout.resolve(square, Optional.of(InputLayout.NHWC))).isEqualTo(InputLayout.NHWC);
        assertThat(InputLayout.resolve(square, Optional.empty())).isEqualTo(InputLayout.NCHW);
        assertThatThrownBy(() -> InputLayout.resolve(shapeOnly(1, 3, 32, 32), Optional.of(InputLayout.NHWC)))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("--layout nhwc does not fit")
                .hasMessageContaining("32 channels");
        assertThat(InputLayout.parse("NHWC")).isEqualTo(InputLayout.NHWC);
        assertThatThrownBy(() -> InputLayout.parse("chw")).isInstanceOf(BadRequestException.class);
    }

    @Test
    void anOverriddenLayoutDecidesWhereTheWindowsSlide() {
        // [1, 3, 8, 3] reads as NCHW (3 channels of 8 x 3); told NHWC it is 3 channels of 3 x 8
        OnnxModel model = shapeOnly(1, 3, 8, 3);
        TensorValue input = new TensorValue("x", new long[] {1, 3, 8, 3}, new float[72]);
        try (Visualizer nchw = Visualizer.open(model, EngineOptions.defaults());
                Visualizer nhwc = Visualizer.open(model, EngineOptions.defaults(), InputLayout.NHWC)) {
            Target element = new Target.OutputElement(model.graph().outputs().get(0).name(), List.of(0L, 0L, 5L, 1L));
            OcclusionResult a = nchw.occlusion().window(1).stride(1).target(element).run(input);
            OcclusionResult b = nhwc.occlusion().window(1).stride(1).target(element).run(input);
            assertThat(a.shape()).containsExactly(8, 3);
            assertThat(b.shape()).containsExactly(3, 8);
            // told NHWC, the Relu holds its channels last: neuron 0 would be row 0, and is refused
            assertThatThrownBy(() -> nhwc.occlusion().window(1).stride(1).target(Target.neuron(0)).layer("relu1")
                    .run(input)).isInstanceOf(io.dnnvis.methods.core.BadRequestException.class)
                    .hasMessageContaining("(its channels last)");
        }
    }

    @Test
    void theLayoutConvertsShapesAndValuesBothWays() {
        long[] shape = {2, 2, 3, 4};
        float[] data = new float[48];
        for (int k = 0; k < data.length; k++) {
            data[k] = k;
        }
        float[] nchw = InputLayout.NHWC.toNchw(data, shape);
        assertThat(InputLayout.NHWC.toNchwShape(shape)).containsExactly(2, 4, 2, 3);
        assertThat(InputLayout.NHWC.fromNchwShape(new long[] {2, 4, 2, 3})).containsExactly(shape);
        // image 1, channel 2, row 1, column 0: NHWC index ((1*2+1)*3+0)*4+2 = 38
        assertThat(nchw[((1 * 4 + 2) * 2 + 1) * 3]).isEqualTo(38f);
        assertThat(InputLayout.NHWC.index(new long[] {1, 2, 3, 4}, 2, 1, 0)).isEqualTo(14);
        assertThat(InputLayout.NCHW.toNchw(data, shape)).isSameAs(data);
    }

    /** x of {@code dims} -> Relu: a model to decide layouts from the shape alone. */
    private static OnnxModel shapeOnly(long... dims) {
        ModelBuilder b = ModelBuilder.create(13).name("shape");
        b.output(b.relu(b.input("x", dims)));
        return b.load();
    }

    private static void assertClose(String what, float[] got, float[] expected) {
        assertThat(got).as(what).hasSameSizeAs(expected);
        double scale = Math.max(1e-12, maxAbs(expected));
        for (int k = 0; k < got.length; k++) {
            boolean bothNaN = Float.isNaN(got[k]) && Float.isNaN(expected[k]);
            if (!bothNaN) {
                assertThat(Math.abs(got[k] - expected[k]) / scale).as("%s at %d", what, k).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }
}
