package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dnnvis.methods.attribution.CamMethod;
import io.dnnvis.methods.attribution.CamRequest;
import io.dnnvis.methods.attribution.CamResolution;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetArea;
import io.dnnvis.methods.occlusion.Fill;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Class targets on outputs laid out otherwise: a segmentation output with its classes last
 * ({@code [N, H, W, K]}, as a TensorFlow export gives it) and a time-major sequence output
 * ({@code [T, N, K]}, as a recurrent head gives it) select the same scores as their twins
 * {@code [N, K, H, W]} and {@code [N, T, K]}: the gradients, class activation maps and occlusion maps
 * of both twins agree, and the reconstruction is labelled with the class.
 */
class OutputLayoutTwinsTest {

    @Test
    void aChannelsLastSegmentationOutputGivesWhatItsClassFirstTwinGives() {
        List<Target> targets = List.of(Target.parse("class:2"),
                ((Target.ClassScore) Target.parse("class:1")).within(new TargetArea.Region(2, 3, 6, 11)));
        assertTwinsAgree(segmentation(false), segmentation(true), targets, List.of(2, 1));
    }

    @Test
    void aTimeMajorSequenceOutputGivesWhatItsBatchMajorTwinGives() {
        List<Target> targets = List.of(Target.parse("class:3"), Target.parse("class:4@5"), Target.parse("class:0@-1"));
        assertTwinsAgree(sequence(false), sequence(true), targets, List.of(3, 4, 0));
    }

    private static void assertTwinsAgree(ModelBuilder usual, ModelBuilder other, List<Target> targets,
            List<Integer> classes) {
        TensorValue x = input();
        try (Visualizer a = Visualizer.open(usual.load(), EngineOptions.defaults());
                Visualizer b = Visualizer.open(other.load(), EngineOptions.defaults())) {
            for (int t = 0; t < targets.size(); t++) {
                Target target = targets.get(t);
                Reconstruction ra = a.run(TargetRequest.of(BackwardMethod.SALINET, target), x);
                Reconstruction rb = b.run(TargetRequest.of(BackwardMethod.SALINET, target), x);
                assertThat(ra.neurons()).as("%s", target).containsExactly(classes.get(t));
                assertThat(rb.neurons()).as("%s", target).containsExactly(classes.get(t));
                assertClose(rb.tensor().data(), ra.tensor().data(), target + " gradient");
                CamRequest cam = new CamRequest(CamMethod.GRADCAM, Optional.of(target), "conv1", CamResolution.INPUT);
                assertClose(b.explain(cam, x).tensor().data(), a.explain(cam, x).tensor().data(), target + " Grad-CAM");
                float[] oa = a.occlusion().window(3).stride(3).fill(Fill.zero()).target(target).run(x).tensor().data();
                float[] ob = b.occlusion().window(3).stride(3).fill(Fill.zero()).target(target).run(x).tensor().data();
                assertClose(ob, oa, target + " occlusion");
            }
        }
    }

    private static void assertClose(float[] got, float[] expected, String what) {
        assertThat(got).as(what).hasSameSizeAs(expected);
        double norm = 0;
        for (float v : expected) {
            norm = Math.max(norm, Math.abs(v));
        }
        assertThat(norm).as(what + ": not all zero").isGreaterThan(0);
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("%s [%d]", what, i).isCloseTo(expected[i], within(1e-5 * norm));
        }
    }

    /** Class scores {@code [1, 4, 8, 16]}; with {@code classesLast} transposed to {@code [1, 8, 16, 4]}. */
    private static ModelBuilder segmentation(boolean classesLast) {
        ModelBuilder b = ModelBuilder.create(13);
        String scores = b.conv(b.relu(b.conv(b.input("x", 1, 3, 8, 16), 3, 6, 3, 1, 1, 1, new Random(4))), 6, 4, 3, 1, 1,
                1, new Random(5));
        b.output(classesLast ? b.node("Transpose", List.of(scores), OnnxProtos.intsAttr("perm", 0, 2, 3, 1)) : scores);
        return b;
    }

    /** Scores of 5 classes at 16 steps, {@code [1, 16, 5]}; {@code timeMajor}: {@code [16, 1, 5]}. */
    private static ModelBuilder sequence(boolean timeMajor) {
        ModelBuilder b = ModelBuilder.create(13);
        String features = b.conv(b.relu(b.conv(b.input("x", 1, 3, 8, 16), 3, 6, 3, 1, 1, 1, new Random(6))), 6, 5, 3, 1,
                1, 1, new Random(7));
        String columns = b.node("ReduceMean", List.of(features), OnnxProtos.intsAttr("axes", 2),
                OnnxProtos.intAttr("keepdims", 0)); // [1, 5, 16]
        b.output(b.node("Transpose", List.of(columns), OnnxProtos.intsAttr("perm",
                timeMajor ? new long[] {2, 0, 1} : new long[] {0, 2, 1})));
        return b;
    }

    private static TensorValue input() {
        Random r = new Random(8);
        float[] v = new float[3 * 8 * 16];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new TensorValue("x", new long[] {1, 3, 8, 16}, v);
    }
}
