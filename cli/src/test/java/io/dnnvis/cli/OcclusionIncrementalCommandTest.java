package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code occlusion --incremental} and {@code --approx}: the same map either way, what --verbose says, bad values. */
class OcclusionIncrementalCommandTest {

    private static final String ALEXNET = TestData.referenceModel("alexnet-mini").toString();
    private static final String INPUT = TestData.referenceInput("alexnet-mini").toString();

    @TempDir
    Path dir;

    private CliRun occlusion(String out, String... more) {
        String[] base = {"occlusion", ALEXNET, "--input-npy", INPUT, "--layer", "conv5", "--window", "15", "--stride",
            "24", "--save-npy", dir.resolve(out).toString(), "--quiet"};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRun.of(args);
    }

    @Test
    void incrementalAndFullGiveTheSameMapAndVerboseSaysWhichRan() {
        CliRun full = occlusion("full.npy", "--incremental", "off", "--verbose");
        CliRun incremental = occlusion("incremental.npy", "--incremental", "on", "--verbose");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(incremental.code()).as(incremental.err()).isZero();
        assertThat(full.out()).contains("computed full");
        assertThat(incremental.out()).contains("computed incremental: ").contains(" nodes patched in ");
        float[] a = Npy.read(dir.resolve("full.npy"), "a").data();
        float[] b = Npy.read(dir.resolve("incremental.npy"), "b").data();
        assertThat(io.dnnvis.methods.occlusion.OcclusionResult.relativeError(b, a)).isLessThan(1e-5);
    }

    @Test
    void approxReportsItsErrorWithVerbose() {
        CliRun run = occlusion("approx.npy", "--approx", "0.5", "--verbose");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("computed approximate \\(tau 0\\.5\\) incremental: .*; maximum relative "
                + "error against the exact map [0-9.e-]+");
    }

    @Test
    void refusesBadValues() {
        CliRun tau = occlusion("x.npy", "--approx", "1.5");
        assertThat(tau.code()).isEqualTo(2);
        assertThat(tau.err()).contains("approx threshold must be in [0, 1), got 1.5");
        CliRun off = occlusion("x.npy", "--approx", "0.3", "--incremental", "off");
        assertThat(off.code()).isEqualTo(2);
        assertThat(off.err()).contains("approx needs the incremental computation");
        CliRun mode = occlusion("x.npy", "--incremental", "sometimes");
        assertThat(mode.code()).isEqualTo(2);
        assertThat(mode.err()).contains("unknown incremental mode 'sometimes' (auto, on or off)");
    }
}
