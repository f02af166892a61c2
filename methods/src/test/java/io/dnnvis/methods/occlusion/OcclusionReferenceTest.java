package io.dnnvis.methods.occlusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.testdata.Manifest;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every occlusion case of the reference manifest through the library API, and batching. */
class OcclusionReferenceTest {

    static Stream<Manifest.ReferenceCase> cases() {
        return TestData.manifest().casesOf("occlusion").stream();
    }

    @Test
    void theManifestHasTheThreeOcclusionCases() {
        assertThat(cases().map(Manifest.ReferenceCase::id)).containsExactlyInAnyOrder(
                "lenet-08-occlusion", "alexnet-mini-09-occlusion", "resnet-mini-05-occlusion");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(Manifest.ReferenceCase c) {
        TensorValue input = Npy.read(c.input(), "input");
        TensorValue expected = Npy.read(c.expected(), "expected");
        try (Visualizer vis = Visualizer.open(c.model())) {
            OcclusionResult r = vis.occlusion().layer(c.layer().tensor()).window(c.window().orElseThrow())
                    .stride(c.stride().orElseThrow()).run(input);
            assertThat(r.tensor().shape()).containsExactly(expected.shape());
            assertThat(r.values().shape()).containsExactly(expected.shape());
            assertThat(r.layer().alias()).isEqualTo(c.layer().alias());
            assertThat(r.batchable()).isTrue();
            assertThat(r.windows()).isEqualTo((int) (expected.shape()[1] * expected.shape()[2]));
            assertThat(Tolerance.relativeError(r.tensor().data(), expected.data())).as(c.id())
                    .isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void theStaticBatchModelGivesTheSameWithBatchOneAndALargeBatch() {
        Manifest.ReferenceCase c = cases().filter(k -> k.id().startsWith("resnet-mini")).findFirst().orElseThrow();
        TensorValue input = Npy.read(c.input(), "input");
        try (Visualizer vis = Visualizer.open(c.model())) {
            OcclusionBuilder request = vis.occlusion().layer(c.layer().alias()).window(c.window().orElseThrow())
                    .stride(c.stride().orElseThrow());
            OcclusionResult one = request.batch(1).run(input);
            OcclusionResult large = request.batch(100).run(input);
            assertThat(one.batch()).isEqualTo(1);
            assertThat(large.batch()).isEqualTo(100);
            assertThat(large.batchable()).isTrue();
            assertThat(large.windows()).isEqualTo(256);
            float[] a = one.tensor().data();
            float[] b = large.tensor().data();
            assertThat(Tolerance.relativeError(b, a)).isLessThanOrEqualTo(1e-6);
            float[] expected = Npy.read(c.expected(), "expected").data();
            assertThat(Tolerance.relativeError(a, expected)).isLessThanOrEqualTo(1e-4);
        }
    }
}
