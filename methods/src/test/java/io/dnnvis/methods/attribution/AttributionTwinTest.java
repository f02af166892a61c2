package io.dnnvis.methods.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An NHWC model and its NCHW twin (exported by PyTorch, testdata/conformance) give the same
 * attributions, NCHW, for every method: the layout is a detail of the input, not of the result.
 */
class AttributionTwinTest {

    @Test
    void everyMethodGivesTheSameResultOnTheNhwcTwin() {
        try (Visualizer nchw = Visualizer.open(TestData.file("conformance/models/tiny_nchw.onnx"));
                Visualizer nhwc = Visualizer.open(TestData.file("conformance/models/tiny_nhwc.onnx"))) {
            assertThat(nhwc.layout()).isEqualTo(InputLayout.NHWC);
            TensorValue a = Npy.read(TestData.file("conformance/inputs/tiny_nchw.npy"),
                    nchw.model().graph().inputs().get(0).name());
            TensorValue b = Npy.read(TestData.file("conformance/inputs/tiny_nhwc.npy"),
                    nhwc.model().graph().inputs().get(0).name());
            String layer = nchw.defaultCamLayer(a);
            assertThat(nhwc.defaultCamLayer(b)).isEqualTo(layer);
            Optional<Target> target = Optional.of(Target.parse("class:1"));
            List<AttributionRequest> requests = List.of(
                    new CamRequest(CamMethod.GRADCAM_PLUS_PLUS, target, layer, CamResolution.INPUT),
                    new GuidedGradCamRequest(target, layer),
                    GradientRequest.saliency().target(target.get()),
                    GradientRequest.inputXGradient().target(target.get()),
                    IntegratedGradientsRequest.defaults().target(target.get()).steps(6, Quadrature.RIEMANN_LEFT)
                            .from(new Baseline.Blur(2)),
                    SmoothGradRequest.defaults().target(target.get()).samples(3, 0.2, 5));
            for (AttributionRequest r : requests) {
                TensorValue x = nchw.explain(r, a).tensor();
                TensorValue y = nhwc.explain(r, b).tensor();
                assertThat(y.shape()).as(r.method()).containsExactly(x.shape());
                float[] xs = x.data();
                float[] ys = y.data();
                assertThat(xs).as(r.method()).isNotEqualTo(new float[xs.length]);
                for (int i = 0; i < xs.length; i++) {
                    assertThat(ys[i]).as("%s %d", r.method(), i)
                            .isCloseTo(xs[i], org.assertj.core.data.Offset.offset(1e-6f + 1e-5f * Math.abs(xs[i])));
                }
            }
        }
    }
}
