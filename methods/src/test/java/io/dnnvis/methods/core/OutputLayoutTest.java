package io.dnnvis.methods.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link OutputLayout}: which axis holds the images and which the classes, and its reading of every
 * value against plain row-major indexing of the same array.
 */
class OutputLayoutTest {

    @Test
    void classVectorsSegmentationsAndSequencesAreToldApartByTheirShapeAndImageAxes() {
        assertThat(OutputLayout.of("y", new long[] {1, 10}, Optional.empty()))
                .isEqualTo(new OutputLayout(OutputLayout.Kind.CLASSES, 0, 1));
        assertThat(OutputLayout.of("y", new long[] {1, 10, 1, 1}, Optional.empty()))
                .isEqualTo(new OutputLayout(OutputLayout.Kind.CLASSES, 0, 1));
        assertThat(OutputLayout.of("y", new long[] {1, 1, 1, 10}, Optional.of(new int[] {1, 2})))
                .isEqualTo(new OutputLayout(OutputLayout.Kind.CLASSES, 0, 3));
        assertThat(OutputLayout.of("y", new long[] {1, 4, 8, 8}, Optional.empty()))
                .as("image axes unknown: class-first").isEqualTo(new OutputLayout(OutputLayout.Kind.SEGMENTATION, 0, 1));
        assertThat(OutputLayout.of("y", new long[] {1, 4, 8, 8}, Optional.of(new int[] {2, 3})))
                .isEqualTo(new OutputLayout(OutputLayout.Kind.SEGMENTATION, 0, 1));
        assertThat(OutputLayout.of("y", new long[] {1, 8, 8, 4}, Optional.of(new int[] {1, 2})))
                .isEqualTo(new OutputLayout(OutputLayout.Kind.SEGMENTATION, 0, 3));
        assertThat(OutputLayout.of("y", new long[] {1, 8, 4, 8}, Optional.of(new int[] {1, 3})))
                .isEqualTo(new OutputLayout(OutputLayout.Kind.SEGMENTATION, 0, 2));
        assertThat(OutputLayout.of("y", new long[] {1, 25, 37}, Optional.empty()))
                .isEqualTo(new OutputLayout(OutputLayout.Kind.SEQUENCE, 0, 2));
        assertThat(OutputLayout.of("y", new long[] {25, 1, 37}, Optional.empty()))
                .isEqualTo(new OutputLayout(OutputLayout.Kind.SEQUENCE, 1, 2));
        assertThatThrownBy(() -> OutputLayout.of("y", new long[] {25, 3, 37}, Optional.empty()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("'y'").hasMessageContaining("[25, 3, 37]");
        assertThatThrownBy(() -> OutputLayout.of("y", new long[] {1, 3, 4, 5, 6}, Optional.empty()))
                .isInstanceOf(BadRequestException.class);
    }

    @Test
    void aReadingFindsEveryValueWhereRowMajorIndexingPutsIt() {
        Random r = new Random(11);
        // [N=3, H=4, W=5, K=6]: the classes last
        float[] nhwk = random(r, 3 * 4 * 5 * 6);
        OutputLayout.Reading seg = new OutputLayout(OutputLayout.Kind.SEGMENTATION, 0, 3).reading(new long[] {3, 4, 5, 6});
        assertThat(seg.images()).isEqualTo(3);
        assertThat(seg.classes()).isEqualTo(6);
        assertThat(seg.positions()).isEqualTo(20);
        for (int n = 0; n < 3; n++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    for (int k = 0; k < 6; k++) {
                        assertThat(seg.score(nhwk, n, y * 5 + x, k)).isEqualTo(nhwk[((n * 4 + y) * 5 + x) * 6 + k]);
                    }
                }
            }
        }
        // [T=7, N=2, K=5]: the images on axis 1
        float[] tnk = random(r, 7 * 2 * 5);
        OutputLayout.Reading seq = new OutputLayout(OutputLayout.Kind.SEQUENCE, 1, 2).reading(new long[] {7, 2, 5});
        assertThat(seq.images()).isEqualTo(2);
        assertThat(seq.positions()).isEqualTo(7);
        for (int n = 0; n < 2; n++) {
            for (int t = 0; t < 7; t++) {
                int best = 0;
                for (int k = 0; k < 5; k++) {
                    float v = tnk[(t * 2 + n) * 5 + k];
                    assertThat(seq.score(tnk, n, t, k)).isEqualTo(v);
                    best = v > tnk[(t * 2 + n) * 5 + best] ? k : best;
                }
                assertThat(seq.topClass(tnk, n, t)).isEqualTo(best);
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /**
     * Class targets in a model's output as its layout says: {@code [1, 1, K]} is a class vector that is
     * also a sequence of one step (class:K@0 and @-1 select class K), {@code [1, 8, 16, 4]} channels last.
     */
    @Test
    void classTargetsSelectTheScoresTheLayoutPutsWhere() {
        io.dnnvis.modelbuild.ModelBuilder b = io.dnnvis.modelbuild.ModelBuilder.create(13);
        String pooled = b.globalAvgPool(b.conv(b.input("x", 1, 3, 8, 8), 3, 5, 3, 1, 1, 1, new Random(1)));
        String y = b.output(b.reshape(pooled, 1, 1, 5));
        io.dnnvis.onnx.OnnxModel model = b.load();
        java.util.Map<String, long[]> shapes = java.util.Map.of(y, new long[] {1, 1, 5});
        for (String target : new String[] {"class:3", "class:3@0", "class:3@-1"}) {
            TargetSelection s = TargetSelection.resolve(model, Target.parse(target), "y", y, shapes, InputLayout.NCHW);
            assertThat(s.indices()).as(target).containsExactly(3);
            assertThat(s.unit()).as(target).isEqualTo(3);
        }
        assertThatThrownBy(() -> TargetSelection.resolve(model, Target.parse("class:3@1"), "y", y, shapes,
                InputLayout.NCHW)).isInstanceOf(BadRequestException.class).hasMessageContaining("step 1 does not exist");
    }
}
