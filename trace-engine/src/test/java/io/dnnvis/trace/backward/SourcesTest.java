package io.dnnvis.trace.backward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.UnsupportedGraphException;
import io.dnnvis.trace.backward.rules.ReluRule;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The signal sent back to a set of tensors: at each source it is what the graph that records every
 * tensor's signal holds there, and a source upstream of another takes only the path through it.
 */
class SourcesTest {

    private static final RuleSet DESALINET = RuleSet.exact().with("Relu", ReluRule.DESALINET).named("desalinet");

    @Test
    void theSignalAtEachSourceIsTheRecordedSignalThere() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("resnet-mini"));
        TensorValue input = Npy.read(TestData.referenceInput("resnet-mini"), "x");
        String target = model.graph().layer("relu5").tensor();
        String inner = model.graph().layer("relu2").tensor();
        String imageInput = model.graph().inputs().get(0).name();
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            long[] shape = engine.shapes(target, input.shape()).get(target);
            int map = (int) (shape[2] * shape[3]);
            float[] values = new float[2 * map];
            java.util.Arrays.fill(values, 1f);
            ChannelSelections neurons = new ChannelSelections(new long[] {1, shape[1] - 1}, values);
            BackwardSpec recorded = new BackwardSpec(target, DESALINET, StartSignal.ACTIVATION, true);
            BackwardResult all = engine.run(recorded, input, neurons);

            BackwardSpec toBoth = new BackwardSpec(target, List.of(inner, imageInput), DESALINET,
                    StartSignal.ACTIVATION, false);
            BackwardResult both = engine.run(toBoth, input, neurons);
            assertThat(both.atSources().keySet()).containsExactly(inner, imageInput);
            TensorValue atInner = both.atSources().get(inner);
            long[] innerShape = engine.shapes(target, input.shape()).get(inner);
            assertThat(atInner.shape()).containsExactly(2, innerShape[1], innerShape[2], innerShape[3]);
            assertThat(maxAbs(atInner.data())).as("the signal reaches relu2").isGreaterThan(0);
            assertClose(atInner.data(), all.signals().get(inner).data());
            assertClose(both.atSources().get(imageInput).data(), all.reconstruction().data());
            assertThat(both.reconstruction().data()).as("the first source is the reconstruction")
                    .containsExactly(atInner.data());

            BackwardResult innerOnly = engine.run(toBoth.toSources(List.of(inner)), input, neurons);
            assertClose(innerOnly.reconstruction().data(), atInner.data());

            // the forward value of a layer source comes from the same run; the model input has none
            try (io.dnnvis.trace.Tracer tracer = io.dnnvis.trace.Tracer.open(model)) {
                float[] activation = tracer.trace(input, List.of(inner)).get(inner).data();
                assertThat(both.valuesAtSources().keySet()).containsExactly(inner);
                assertThat(maxAbs(activation)).isGreaterThan(0);
                assertClose(both.valuesAtSources().get(inner).data(), activation);
            }
        }
    }

    @Test
    void aSourceTheTargetDoesNotDependOnIsRefused() {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("resnet-mini"));
        TensorValue input = Npy.read(TestData.referenceInput("resnet-mini"), "x");
        String target = model.graph().layer("relu2").tensor();
        String later = model.graph().layer("relu5").tensor();
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            long[] shape = engine.shapes(target, input.shape()).get(target);
            ChannelSelections one = new ChannelSelections(new long[] {0}, new float[(int) (shape[2] * shape[3])]);
            assertThatThrownBy(() -> engine.run(new BackwardSpec(target, List.of(later), DESALINET,
                    StartSignal.ONES, false), input, one))
                    .isInstanceOf(UnsupportedGraphException.class).hasMessageContaining("'" + later + "'");
        }
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }

    private static void assertClose(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double scale = Math.max(maxAbs(want), 1e-30);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("element %d", i).isLessThanOrEqualTo(1e-5 * scale);
        }
    }
}
