package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.graph.PhaseLayout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The host-side interleave equals ONNX's DepthToSpace (DCR) followed by the crop, written out plainly. */
class PhaseLayoutTest {

    @ParameterizedTest(name = "stride {0}, {1} channels, phases {2}x{3}, crop at {4},{5} to {6}x{7}, {8} images")
    @CsvSource({
            "4, 3, 57, 57, 2, 2, 224, 224, 2",
            "2, 1, 5, 4, 0, 1, 9, 7, 3",
            "3, 2, 4, 5, 1, 0, 10, 15, 1",
            "1, 4, 6, 6, 0, 0, 6, 6, 2"})
    void interleaveIsDepthToSpaceThenCrop(int s, int c, int pr, int pc, int top, int left, int rows, int cols,
            int images) {
        PhaseLayout layout = new PhaseLayout(s, c, pr, pc, top, left, rows, cols);
        assertThat(layout.phaseShape(images)).containsExactly(images, (long) s * s * c, pr, pc);
        float[] phases = new float[images * s * s * c * pr * pc];
        Random rnd = new Random(3);
        for (int i = 0; i < phases.length; i++) {
            phases[i] = rnd.nextFloat();
        }
        int offset = 5;
        float[] got = new float[offset + images * c * rows * cols];
        layout.interleave(FloatBuffer.wrap(phases), images, got, offset);
        for (int b = 0; b < images; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        // DepthToSpace DCR: out[b, ch, h*s + i, w*s + j] = in[b, (i*s + j)*C + ch, h, w]
                        int h = (y + top) / s;
                        int i = (y + top) % s;
                        int w = (x + left) / s;
                        int j = (x + left) % s;
                        float want = phases[((b * s * s * c + (i * s + j) * c + ch) * pr + h) * pc + w];
                        int at = offset + ((b * c + ch) * rows + y) * cols + x;
                        assertThat(got[at]).as("image %d channel %d at %d,%d", b, ch, y, x).isEqualTo(want);
                    }
                }
            }
        }
        assertThat(got[0]).as("nothing written before the offset").isZero();
    }

    @ParameterizedTest(name = "crop {0},{1} of {2}x{3} from 2x2 phases of 3x3")
    @CsvSource({"0, 0, 7, 6", "1, 0, 6, 6", "0, -1, 4, 4", "0, 0, 0, 4"})
    void aCropOutsideThePhasesIsRefused(int top, int left, int rows, int cols) {
        assertThatThrownBy(() -> new PhaseLayout(2, 1, 3, 3, top, left, rows, cols))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
