package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.Manifest;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.Pooling;
import io.dnnvis.trace.backward.StartSignal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backward-net case of the reference manifest, of the torchvision cases, of the exporters'
 * look-alikes and of the conformance suite's cases that select a channel (PyTorch autograd) through
 * the library API.
 */
class ReferenceCasesTest {

    private static final Map<Path, Visualizer> OPEN = new HashMap<>();

    static Stream<Manifest.ReferenceCase> cases() {
        return Stream.of(TestData.manifest().casesOf("deconvnet", "salinet", "desalinet").stream(),
                TestData.torchvisionManifest().cases().stream(),
                TestData.conformanceManifest().cases().stream().filter(c -> c.channel().isPresent()),
                TestData.lookalikeManifest().cases().stream(),
                TestData.largeConformanceManifest().stream()
                        .flatMap(m -> m.cases().stream().filter(c -> c.channel().isPresent())))
                .flatMap(s -> s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(Manifest.ReferenceCase c) {
        Visualizer vis = OPEN.computeIfAbsent(c.model(), Visualizer::open);
        TensorValue input = Npy.read(c.input(), "input");
        BackwardBuilder request = vis.method(BackwardMethod.parse(c.method()))
                .layer(c.layer().tensor())
                .neurons(c.channel().orElseThrow())
                .pooling(Pooling.parse(c.pooling()))
                .start(StartSignal.parse(c.start()));
        if (c.yx().isPresent()) {
            request = request.position(c.yx().get()[0], c.yx().get()[1]);
        }
        Reconstruction r = request.run(input);
        TensorValue expected = Npy.read(c.expected(), "expected");
        assertThat(r.tensor().shape()).containsExactly(expected.shape());
        if (Tolerance.norm(expected.data()) == 0) {
            // the reference is exactly zero (no signal reaches the input): so must ours be
            assertThat(Tolerance.norm(r.tensor().data())).as(c.id()).isLessThanOrEqualTo(1e-12);
        } else {
            assertThat(Tolerance.relativeError(r.tensor().data(), expected.data())).as(c.id())
                    .isLessThanOrEqualTo(1e-4);
        }
    }

    @AfterAll
    static void closeAll() {
        OPEN.values().forEach(Visualizer::close);
        OPEN.clear();
    }
}
