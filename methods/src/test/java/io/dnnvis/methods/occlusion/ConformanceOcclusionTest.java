package io.dnnvis.methods.occlusion;

import static io.dnnvis.methods.occlusion.OcclusionTargetsTest.assertMap;
import static io.dnnvis.methods.occlusion.OcclusionTargetsTest.expected;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetArea;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Score occlusion with class targets on the conformance suite's exported models (ConvNeXt, LR-ASPP, a
 * sequence model, QDQ, float16), against the score drops of the occluded images computed here from
 * forward passes.
 */
class ConformanceOcclusionTest {

    private static void check(String model, String input, Target target, int window, int stride,
            ToDoubleFunction<float[]> score) {
        OnnxModel m = OnnxModel.load(TestData.file("conformance/models/" + model + ".onnx"));
        TensorValue x = Npy.read(TestData.file("conformance/inputs/" + input + ".npy"), "input");
        try (Visualizer vis = Visualizer.open(m, EngineOptions.defaults())) {
            String output = m.graph().outputs().get(0).name();
            OcclusionResult r = vis.occlusion().window(window).stride(stride).fill(Fill.zero()).target(target).run(x);
            assertMap(r, expected(vis, output, x, window, stride, score));
        }
    }

    @Test
    void convNeXtClassLogit() {
        check("convnext_mini_op13", "convnext_mini", Target.classIndex(3), 9, 8, y -> y[3]);
        check("convnext_mini_op17", "convnext_mini", Target.classIndex(3), 9, 8, y -> y[3]);
    }

    @Test
    void segmentationClassInsideARegion() {
        check("lraspp_mini", "lraspp_mini", Target.classIndex(2).within(new TargetArea.Region(8, 16, 40, 48)), 9, 8,
                y -> {
                    double s = 0;
                    for (int row = 8; row < 40; row++) {
                        for (int col = 16; col < 48; col++) {
                            s += y[(2 * 64 + row) * 64 + col];
                        }
                    }
                    return s;
                });
    }

    @Test
    void sequenceClassAtAStep() {
        check("crnn_mini", "crnn_mini", Target.parse("class:3@5"), 5, 4, y -> y[5 * 7 + 3]);
    }

    @Test
    void quantizedAndHalfPrecisionModels() {
        check("tiny_qdq", "tiny_qdq", Target.classIndex(2), 5, 4, y -> y[2]);
        check("tiny_fp16", "tiny_fp16", Target.classIndex(0), 5, 4, y -> y[0]);
    }
}
