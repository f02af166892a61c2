package io.dnnvis.trace.backward;

import static io.dnnvis.trace.backward.BackwardTestSupport.assertCloseToScale;
import static io.dnnvis.trace.backward.BackwardTestSupport.count;
import static io.dnnvis.trace.backward.BackwardTestSupport.maxAbs;
import static io.dnnvis.trace.backward.BackwardTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.passes.PassSelection;
import io.dnnvis.trace.backward.rules.ReluRule;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Start signals on a batch of several images, each signal another channel and position in each
 * image ({@link BackwardEngine#runOnImages}, a dataset audit's rows of different images in one run):
 * each (signal, image) gives what a run on that image alone gives for its part of the selection,
 * with every pass and with none, for both starts; on models exported with a batch of 1 too.
 */
class ImagesTogetherTest {

    private static final int IMAGES = 3;
    private static final int SIGNALS = 2;

    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of("lenet", "conv2"), // starts from one channel
                Arguments.of("alexnet-mini", "conv3"), // one channel, max pooling on the way
                Arguments.of("alexnet-mini", "conv4"), // grouped: the whole graph
                Arguments.of("resnet-mini", "relu5")); // not a Conv: the whole graph, residual adds
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targets")
    void eachSignalOfEachImageIsWhatThatImageAloneGives(String modelName, String layer) {
        OnnxModel model = OnnxModel.load(TestData.referenceModel(modelName));
        TensorValue one = Npy.read(TestData.referenceInput(modelName), "x");
        String tensor = model.graph().layer(layer).tensor();
        List<TensorValue> images = images(one);
        TensorValue batch = stacked(images);
        Random rnd = new Random(5);
        for (PassSelection passes : new PassSelection[] {PassSelection.ALL, PassSelection.NONE}) {
            try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults(), passes)) {
                assertThat(engine.runsImagesTogether(layer, one.shape(), IMAGES)).isTrue();
                long[] shape = engine.shapes(tensor, one.shape()).get(tensor);
                int plane = (int) (count(shape) / shape[1]);
                long[] channels = new long[SIGNALS * IMAGES];
                float[] values = new float[SIGNALS * IMAGES * plane];
                for (int k = 0; k < channels.length; k++) {
                    channels[k] = rnd.nextInt((int) shape[1]);
                    values[k * plane + rnd.nextInt(plane)] = 1f;
                }
                values[(SIGNALS * IMAGES - 1) * plane + rnd.nextInt(plane)] = 0.5f; // two positions, one image
                ChannelSelections together = ChannelSelections.perImage(IMAGES, channels, values);
                for (RuleSet rules : List.of(RuleSet.exact(),
                        RuleSet.exact().with("Relu", ReluRule.DECONVNET).named("deconvnet"))) {
                    for (StartSignal start : StartSignal.values()) {
                        BackwardSpec spec = new BackwardSpec(tensor, rules, start, false);
                        BackwardResult result = engine.runOnImages(spec, batch, together);
                        assertThat(result.reconstruction().shape()[0]).isEqualTo(SIGNALS * IMAGES);
                        List<float[]> got = rows(result.reconstruction(), SIGNALS * IMAGES);
                        int reached = 0;
                        for (int b = 0; b < SIGNALS; b++) {
                            for (int n = 0; n < IMAGES; n++) {
                                int k = b * IMAGES + n;
                                float[] map = java.util.Arrays.copyOfRange(values, k * plane, (k + 1) * plane);
                                ChannelSelections alone = new ChannelSelections(new long[] {channels[k]}, map);
                                BackwardResult single = engine.run(spec, images.get(n), alone);
                                float[] want = single.reconstruction().data();
                                if (b == 0) { // the target's value, computed where the graph leaves it out
                                    float[] all = result.target().data();
                                    float[] its = single.target().data();
                                    assertCloseToScale(java.util.Arrays.copyOfRange(all, n * its.length,
                                            (n + 1) * its.length), its, modelName + " " + layer + " " + start + " image " + n + ": the target");
                                }
                                String what = modelName + " " + layer + " " + passes + " " + rules.name() + " "
                                        + start + " signal " + b + " image " + n;
                                reached += maxAbs(want) > 0 ? 1 : 0;
                                assertCloseToScale(got.get(k), want, what);
                            }
                        }
                        // a Relu output that is 0 where it is selected sends nothing back; most are not
                        assertThat(reached).as("%s %s %s: signals that reach the input", modelName, layer, start)
                                .isGreaterThan(SIGNALS * IMAGES / 2);
                    }
                }
            }
        }
    }

    @Test
    void aGraphThatPinsItsBatchIsRefusedInOneLine() {
        ModelBuilder b = ModelBuilder.create(13).name("pinned");
        String x = b.input("x", new long[] {1, 2, 4, 4});
        String flat = b.node("Reshape", List.of(x, b.initializerLongs("shape", new long[] {4},
                new long[] {1, 2, 4, 4})));
        String y = b.node("Relu", List.of(flat));
        b.output(y);
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            assertThat(engine.runsImagesTogether(y, new long[] {1, 2, 4, 4}, 2)).isFalse();
            TensorValue two = new TensorValue("x", new long[] {2, 2, 4, 4}, new float[64]);
            BackwardSpec spec = new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, false);
            assertThatThrownBy(() -> engine.runOnImages(spec, two,
                    ChannelSelections.perImage(2, new long[] {0, 1}, new float[32])))
                    .isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void channelsPerImageMustMatchTheBatch() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        TensorValue one = Npy.read(TestData.referenceInput("lenet"), "x");
        String tensor = model.graph().layer("conv2").tensor();
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            long[] shape = engine.shapes(tensor, one.shape()).get(tensor);
            int plane = (int) (count(shape) / shape[1]);
            TensorValue batch = stacked(images(one));
            BackwardSpec spec = new BackwardSpec(tensor, RuleSet.exact(), StartSignal.ONES, false);
            // channels for 2 images on a batch of 3
            assertThatThrownBy(() -> engine.runOnImages(spec, batch,
                    ChannelSelections.perImage(2, new long[] {0, 1}, new float[IMAGES * plane])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("images");
            long[] wrongInput = one.shape();
            wrongInput[2] += 1;
            TensorValue wrong = new TensorValue("x", wrongInput, new float[(int) count(wrongInput)]);
            assertThatThrownBy(() -> engine.runOnImages(spec, wrong, new ChannelSelections(new long[] {0},
                    new float[plane]))).isInstanceOf(BadInputException.class).hasMessageContaining("expects shape");
        }
    }

    /** The reference input and two others made from it (shifted and scaled), each {@code [1, ...]}. */
    private static List<TensorValue> images(TensorValue one) {
        float[] a = one.data();
        float[] b = new float[a.length];
        float[] c = new float[a.length];
        Random rnd = new Random(3);
        for (int i = 0; i < a.length; i++) {
            b[i] = a[(i + 7) % a.length];
            c[i] = 0.5f * a[i] + (float) rnd.nextGaussian() * 0.3f;
        }
        return List.of(one, new TensorValue(one.name(), one.shape(), b), new TensorValue(one.name(), one.shape(), c));
    }

    private static TensorValue stacked(List<TensorValue> images) {
        int per = images.get(0).data().length;
        float[] all = new float[per * images.size()];
        for (int n = 0; n < images.size(); n++) {
            System.arraycopy(images.get(n).data(), 0, all, n * per, per);
        }
        long[] shape = images.get(0).shape();
        shape[0] = images.size();
        return new TensorValue(images.get(0).name(), shape, all);
    }
}
