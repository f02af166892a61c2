package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetArea;
import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.modelbuild.TargetModels;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.StartSignal;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Visualizing a target: SaliNet's result is the gradient of the target's score, checked against the
 * forward pass alone by the adjoint identity {@code <J^T m, v> = d/de <m, f(x + e v)>} (a central
 * difference along random directions v).
 */
class TargetGradientTest {

    private static final double EPS = 1e-2;

    private static TensorValue randomInput(long[] shape, long seed) {
        Random rnd = new Random(seed);
        int n = (int) java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact);
        float[] data = new float[n];
        for (int k = 0; k < n; k++) {
            data[k] = (float) rnd.nextGaussian();
        }
        return new TensorValue("x", shape, data);
    }

    private static float[] outputOf(Visualizer vis, String output, float[] x, long[] shape) {
        return vis.tracer().run(new TensorValue("x", shape, x)).get(output).data();
    }

    /**
     * Checks {@code gradient} (dscore/dx at {@code input}) against central differences of
     * {@code score} along three random directions.
     */
    private static void assertIsGradient(Visualizer vis, String output, TensorValue input, float[] gradient,
            ToDoubleFunction<float[]> score) {
        float[] x = input.data();
        Random rnd = new Random(5);
        for (int trial = 0; trial < 3; trial++) {
            float[] v = new float[x.length];
            float[] plus = new float[x.length];
            float[] minus = new float[x.length];
            double adjoint = 0;
            for (int k = 0; k < x.length; k++) {
                v[k] = (float) rnd.nextGaussian();
                plus[k] = (float) (x[k] + EPS * v[k]);
                minus[k] = (float) (x[k] - EPS * v[k]);
                adjoint += gradient[k] * (double) v[k];
            }
            double difference = (score.applyAsDouble(outputOf(vis, output, plus, input.shape()))
                    - score.applyAsDouble(outputOf(vis, output, minus, input.shape()))) / (2 * EPS);
            assertThat(adjoint).as("<gradient, v> against the central difference, trial %d", trial)
                    .isCloseTo(difference, org.assertj.core.api.Assertions.within(2e-3 * (1 + Math.abs(difference))));
        }
        double norm = 0;
        for (float g : gradient) {
            norm += g * g;
        }
        assertThat(norm).as("the gradient is not zero").isGreaterThan(1e-6);
    }

    @Test
    void segmentationClassInsideARegionIsTheGradientOfTheRegionsSum() {
        OnnxModel model = TargetModels.segmentation(false).load();
        String out = model.graph().outputs().get(0).name();
        TensorValue input = randomInput(new long[] {1, 3, 8, 8}, 1);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            Target target = Target.classIndex(1).within(new TargetArea.Region(2, 3, 6, 7));
            Reconstruction r = vis.run(TargetRequest.of(BackwardMethod.SALINET, target), input);
            assertThat(r.tensor().shape()).containsExactly(1, 3, 8, 8);
            assertThat(r.neurons()).containsExactly(1);
            assertIsGradient(vis, out, input, r.tensor().data(), y -> {
                double s = 0;
                for (int yy = 2; yy < 6; yy++) {
                    for (int xx = 3; xx < 7; xx++) {
                        s += y[(1 * 8 + yy) * 8 + xx];
                    }
                }
                return s;
            });
        }
    }

    @Test
    void segmentationClassWithAMaskSumsItsNonzeroPixelsResizedNearest() {
        OnnxModel model = TargetModels.segmentation(false).load();
        String out = model.graph().outputs().get(0).name();
        TensorValue input = randomInput(new long[] {1, 3, 8, 8}, 2);
        // a 4 x 4 mask: on at (0,1) and (3,3); nearest to 8 x 8 covers rows 0-1 x cols 2-3 and rows 6-7 x cols 6-7
        boolean[] on = new boolean[16];
        on[1] = true;
        on[15] = true;
        Target target = Target.classIndex(2).within(new TargetArea.Mask("mask.png", 4, 4, on));
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            TargetSelection s = vis.check(TargetRequest.of(BackwardMethod.SALINET, target), input);
            int base = 2 * 64;
            assertThat(s.indices()).containsExactly(base + 2, base + 3, base + 10, base + 11, base + 54, base + 55,
                    base + 62, base + 63);
            Reconstruction r = vis.run(TargetRequest.of(BackwardMethod.SALINET, target), input);
            assertIsGradient(vis, out, input, r.tensor().data(), y -> {
                double sum = 0;
                for (int i : s.indices()) {
                    sum += y[i];
                }
                return sum;
            });
        }
    }

    @Test
    void sequenceClassAtOneStepAndOverAllSteps() {
        OnnxModel model = TargetModels.sequence().load();
        String logits = model.graph().outputs().get(0).name();
        TensorValue input = randomInput(new long[] {1, 2, 4, 6}, 3);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            Reconstruction one = vis.run(TargetRequest.of(BackwardMethod.SALINET, Target.parse("class:2@3")), input);
            assertThat(one.neurons()).containsExactly(2);
            assertIsGradient(vis, logits, input, one.tensor().data(), y -> y[3 * 5 + 2]);
            Reconstruction all = vis.run(TargetRequest.of(BackwardMethod.SALINET, Target.parse("class:4")), input);
            assertIsGradient(vis, logits, input, all.tensor().data(), y -> {
                double s = 0;
                for (int t = 0; t < 6; t++) {
                    s += y[t * 5 + 4];
                }
                return s;
            });
        }
    }

    @Test
    void anElementOfTheSecondOutputAndAClassOfANamedOutput() {
        OnnxModel model = TargetModels.sequence().load();
        String probs = model.graph().outputs().get(1).name();
        TensorValue input = randomInput(new long[] {1, 2, 4, 6}, 4);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            Target element = Target.parse("output:" + probs + "[0,-2,1]");
            Reconstruction r = vis.run(TargetRequest.of(BackwardMethod.SALINET, element), input);
            assertIsGradient(vis, probs, input, r.tensor().data(), y -> y[4 * 5 + 1]);
            Target classOfProbs = Target.classIndex(3).onOutput(probs);
            Reconstruction c = vis.run(TargetRequest.of(BackwardMethod.SALINET, classOfProbs), input);
            assertIsGradient(vis, probs, input, c.tensor().data(), y -> {
                double s = 0;
                for (int t = 0; t < 6; t++) {
                    s += y[t * 5 + 3];
                }
                return s;
            });
        }
    }

    @Test
    void startActivationWeightsEachSelectedElementByItsValue() {
        OnnxModel model = TargetModels.segmentation(false).load();
        String out = model.graph().outputs().get(0).name();
        TensorValue input = randomInput(new long[] {1, 3, 8, 8}, 6);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            float[] y0 = outputOf(vis, out, input.data(), input.shape());
            TargetRequest request = TargetRequest.of(BackwardMethod.SALINET, Target.classIndex(0))
                    .withStart(StartSignal.ACTIVATION);
            Reconstruction r = vis.run(request, input);
            // J^T (y0 * m): the gradient of sum_i y0_i y_i over class 0's map, y0 held fixed
            assertIsGradient(vis, out, input, r.tensor().data(), y -> {
                double s = 0;
                for (int i = 0; i < 64; i++) {
                    s += y0[i] * (double) y[i];
                }
                return s;
            });
        }
    }

    @Test
    void aSumOverTheSoftmaxAxisIsRefusedFromTheGraph() {
        OnnxModel model = TargetModels.sequence().load();
        String probs = model.graph().outputs().get(1).name();
        TensorValue input = randomInput(new long[] {1, 2, 4, 6}, 7);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            // neuron:3 of [1, 6, 5] is step 3, all five classes: the softmax over them sums to 1
            TargetRequest sum = TargetRequest.of(BackwardMethod.SALINET, Target.neuron(3), probs);
            assertThatThrownBy(() -> vis.run(sum, input)).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("gradient is zero everywhere").hasMessageContaining("Softmax");
            assertThatThrownBy(() -> vis.occlusion().layer(probs).target(Target.neuron(3)).window(3).stride(2)
                    .run(input)).isInstanceOf(BadRequestException.class).hasMessageContaining("always sum to 1");
            // --neuron with start 1 is the same sum; with the activation as start it is not (sum of s^2 / 2)
            assertThatThrownBy(() -> vis.salinet().layer(probs).neurons(3).start(StartSignal.ONES).run(input))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("gradient is zero everywhere");
            assertThat(vis.salinet().layer(probs).neurons(3).start(StartSignal.ACTIVATION).run(input).neurons())
                    .containsExactly(3);
            // the same step on the logits, and one class of the softmax, are fine
            vis.check(TargetRequest.of(BackwardMethod.SALINET, Target.neuron(3), model.graph().outputs().get(0).name()),
                    input);
            vis.check(TargetRequest.of(BackwardMethod.SALINET, Target.classIndex(1).onOutput(probs)), input);
        }
    }

    @Test
    void targetsThatDoNotFitTheirOutputAreRefused() {
        OnnxModel seg = TargetModels.segmentation(false).load();
        OnnxModel seq = TargetModels.sequence().load();
        TensorValue segInput = randomInput(new long[] {1, 3, 8, 8}, 8);
        TensorValue seqInput = randomInput(new long[] {1, 2, 4, 6}, 9);
        try (Visualizer s = Visualizer.open(seg, EngineOptions.defaults());
                Visualizer q = Visualizer.open(seq, EngineOptions.defaults())) {
            assertRefused(s, Target.parse("class:1@2"), segInput, "class:K@t needs a sequence output [N,T,K]");
            assertRefused(s, Target.classIndex(3), segInput, "class 3 does not exist (the model output has classes 0..2)");
            assertRefused(s, Target.classIndex(0).within(new TargetArea.Region(0, 0, 9, 4)), segInput,
                    "region 0,0,9,4 is outside the output map (8 rows, 8 columns)");
            assertRefused(q, Target.parse("class:1@6"), seqInput, "step 6 does not exist");
            assertRefused(q, Target.classIndex(1).within(new TargetArea.Region(0, 0, 1, 1)), seqInput,
                    "a region or mask needs a segmentation output [N,K,H,W]");
            String logits = seq.graph().outputs().get(0).name();
            assertRefused(q, Target.element(logits, 0, 1), seqInput, "has 2 indices");
            assertRefused(q, Target.element(logits, 1, 0, 0), seqInput, "index 1 of axis 0 is outside");
        }
    }

    private static void assertRefused(Visualizer vis, Target target, TensorValue input, String message) {
        assertThatThrownBy(() -> vis.check(TargetRequest.of(BackwardMethod.SALINET, target), input))
                .as(target.toString()).isInstanceOf(BadRequestException.class).hasMessageContaining(message);
    }
}
