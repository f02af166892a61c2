package io.dnnvis.trace.backward;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.stringAttr;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.UnsupportedGraphException;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the Resize rule refuses, in one line naming the node. */
class ResizeRefusalTest {

    private static final long[] INPUT = {1, 2, 6, 6};

    @Test
    void antialiasedCubicDownsamplingIsRefused() {
        ModelBuilder b = ModelBuilder.create(18).name("antialias");
        String x = b.input("x", INPUT);
        String scales = b.initializer("scales", new long[] {4}, new float[] {1, 1, 0.5f, 0.5f});
        String y = b.node("Resize", List.of(x, "", scales), stringAttr("mode", "cubic"), intAttr("antialias", 1));
        b.output(y);
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            assertThatThrownBy(() -> engine.compile(new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, false), INPUT))
                    .isInstanceOf(UnsupportedGraphException.class)
                    .hasMessageContaining("'Resize_1'")
                    .hasMessageContaining("antialiased downscaling").hasMessageContaining("not supported");
        }
    }
}
