package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.Target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.onnx.UnknownLayerException;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The request's geometry, fills, defaults, progress and refusals. */
class OcclusionRequestTest {

    private static Visualizer lenet;
    private static TensorValue input;

    @BeforeAll
    static void open() {
        lenet = Visualizer.open(TestData.referenceModel("lenet"));
        input = Npy.read(TestData.referenceInput("lenet"), "input");
    }

    @AfterAll
    static void close() {
        lenet.close();
    }

    @Test
    void centredWindowsFollowTheOriginalLibrary() {
        WindowGrid g = WindowGrid.centred(10, 11, 5, 4);
        assertThat(g.rows()).isEqualTo(3);
        assertThat(g.cols()).isEqualTo(3);
        assertThat(g.window(0)).isEqualTo(new WindowGrid.Window(0, 3, 0, 3));
        assertThat(g.window(4)).isEqualTo(new WindowGrid.Window(2, 7, 2, 7));
        assertThat(g.window(8)).isEqualTo(new WindowGrid.Window(6, 10, 6, 11));
        assertThat(WindowGrid.centred(32, 32, 5, 2).rows()).isEqualTo(16);
    }

    @Test
    void cornerAlignedWindowsFollowCaptum() {
        WindowGrid g = WindowGrid.cornerAligned(10, 10, 5, 4);
        assertThat(g.rows()).isEqualTo(3);
        assertThat(g.window(0)).isEqualTo(new WindowGrid.Window(0, 5, 0, 5));
        assertThat(g.window(8)).isEqualTo(new WindowGrid.Window(8, 10, 8, 10));
        assertThat(WindowGrid.cornerAligned(10, 10, 15, 4).count()).isEqualTo(1);
        assertThat(WindowGrid.cornerAligned(9, 9, 3, 3).rows()).isEqualTo(3);
    }

    @Test
    void fillsGiveTheirValuePerChannel() {
        TensorValue x = new TensorValue("x", new long[] {1, 2, 1, 2}, new float[] {1, 3, 10, 30});
        assertThat(Fill.mean().perChannel(x)).containsExactly(11f, 11f);
        assertThat(Fill.channelMean().perChannel(x)).containsExactly(2f, 20f);
        assertThat(Fill.zero().perChannel(x)).containsExactly(0f, 0f);
        assertThat(Fill.parse("-1.5").perChannel(x)).containsExactly(-1.5f, -1.5f);
        assertThat(Fill.parse("channel-mean")).isEqualTo(Fill.channelMean());
        assertThatThrownBy(() -> Fill.parse("median")).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("unknown fill 'median'");
        assertThatThrownBy(() -> Fill.parse("NaN")).isInstanceOf(BadRequestException.class);
    }

    @Test
    void theOccluderPaintsEveryChannelInsideTheWindowOnly() {
        TensorValue x = new TensorValue("x", new long[] {1, 2, 3, 3}, new float[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90});
        Occluder occluder = new Occluder(x, Fill.constant(-1));
        float[] batch = new float[2 * 18];
        occluder.paint(batch, 1, new WindowGrid.Window(1, 3, 0, 2));
        assertThat(java.util.Arrays.copyOfRange(batch, 18, 36)).containsExactly(
                1, 2, 3, -1, -1, 6, -1, -1, 9, 10, 20, 30, -1, -1, 60, -1, -1, 90);
        assertThat(java.util.Arrays.copyOfRange(batch, 0, 18)).containsOnly(0f);
    }

    @Test
    void targetsParse() {
        assertThat(Target.parse("class:7")).isEqualTo(Target.classIndex(7));
        assertThat(Target.parse("class: tabby cat")).isEqualTo(Target.classLabel("tabby cat"));
        assertThat(Target.parse("neuron:3")).isEqualTo(Target.neuron(3));
        assertThat(Target.parse("neuron:3,1,2")).isEqualTo(Target.neuron(3, 1, 2));
        assertThat(Target.parse("neuron:3,1,2").toString()).isEqualTo("neuron:3,1,2");
        for (String bad : List.of("class:", "neuron:1,2", "neuron:x", "logit:3", "3")) {
            assertThatThrownBy(() -> Target.parse(bad)).as(bad).isInstanceOf(BadRequestException.class);
        }
    }

    @Test
    void theDefaultBatchKeepsABatchUnder64MegabytesAndAtMost16Images() {
        assertThat(BatchPlan.defaultBatch(new long[] {1, 3, 32, 32}, new long[] {1, 16, 10, 10})).isEqualTo(16);
        assertThat(BatchPlan.defaultBatch(new long[] {1, 3, 224, 224}, new long[] {1, 256, 112, 112}))
                .isEqualTo((int) ((64L << 20) / (4L * 256 * 112 * 112)));
        assertThat(BatchPlan.defaultBatch(new long[] {1, 3, 4096, 4096}, new long[] {1, 1})).isEqualTo(1);
    }

    @Test
    void progressCountsWindowsUpToTheTotal() {
        List<int[]> calls = new ArrayList<>();
        OcclusionResult r = lenet.occlusion().layer("conv2").window(5).stride(4).batch(10)
                .progress((done, total) -> calls.add(new int[] {done, total})).run(input);
        assertThat(r.windows()).isEqualTo(64);
        assertThat(calls).extracting(c -> c[0]).containsExactly(0, 10, 20, 30, 40, 50, 60, 64);
        assertThat(calls).extracting(c -> c[1]).containsOnly(64);
    }

    @Test
    void resultMapsAndStrongestChannels() {
        OcclusionResult r = lenet.occlusion().layer("conv2").window(5).stride(4).run(input);
        float[] all = r.tensor().data();
        int cells = 64;
        int strongest = r.strongestChannels(1)[0];
        double best = 0;
        for (int c = 0; c < 16; c++) {
            double s = 0;
            for (int p = 0; p < cells; p++) {
                s += all[c * cells + p] * (double) all[c * cells + p];
            }
            best = Math.max(best, s);
            if (c == strongest) {
                assertThat(s).isGreaterThan(0);
            }
        }
        double strongestNorm = 0;
        for (int p = 0; p < cells; p++) {
            strongestNorm += all[strongest * cells + p] * (double) all[strongest * cells + p];
        }
        assertThat(strongestNorm).isEqualTo(best);
        assertThat(r.strongestChannels(4)).hasSize(4).doesNotHaveDuplicates().startsWith(strongest);
        assertThat(r.map(3).values()).containsExactly(java.util.Arrays.copyOfRange(all, 3 * cells, 4 * cells));
        float sum = 0;
        for (int c = 0; c < 16; c++) {
            sum += all[c * cells + 9];
        }
        assertThat(r.map().values()[9]).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-4f));
        assertThatThrownBy(() -> r.map(16)).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("channel 16 does not exist");
    }

    @Test
    void badRequestsAreRefusedWithAMessage() {
        OcclusionBuilder ok = lenet.occlusion().layer("conv2").window(5).stride(2);
        assertRefused(ok.window(4), "window must be odd and positive, got 4");
        assertRefused(ok.window(-3), "window must be odd and positive, got -3");
        assertRefused(ok.stride(0), "stride must be positive, got 0");
        assertRefused(ok.batch(-1), "batch must be positive");
        assertRefused(lenet.occlusion().window(5).stride(2), "no layer given");
        assertRefused(ok.target(Target.neuron(16)), "neuron 16 does not exist in layer 'conv2' (channels 0..15)");
        assertRefused(ok.target(Target.neuron(1, 10, 0)), "position 10,0 is outside layer 'conv2'");
        assertRefused(ok.target(Target.classIndex(10)), "class 10 does not exist (the model output has classes 0..9)");
        assertRefused(ok.target(Target.classLabel("cat")), "class 'cat' is not a number and lenet.onnx has no 'labels'");
        TensorValue wrong = new TensorValue("input", new long[] {1, 3, 16, 16}, new float[3 * 16 * 16]);
        assertThatThrownBy(() -> ok.run(wrong)).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("input shape [1, 3, 16, 16] does not fit the model's input");
        TensorValue two = new TensorValue("input", new long[] {2, 3, 32, 32}, new float[2 * 3 * 32 * 32]);
        assertThatThrownBy(() -> ok.run(two)).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("one input image [1, C, H, W]");
        assertThatThrownBy(() -> ok.layer("conv9").run(input)).isInstanceOf(UnknownLayerException.class);
    }

    private static void assertRefused(OcclusionBuilder request, String message) {
        assertThatThrownBy(() -> request.run(input)).isInstanceOf(BadRequestException.class)
                .hasMessageContaining(message);
    }
}
