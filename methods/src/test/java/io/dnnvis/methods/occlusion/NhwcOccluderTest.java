package io.dnnvis.methods.occlusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.trace.TensorValue;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** On an NHWC input the occluder and the fills find the channels on the last axis. */
class NhwcOccluderTest {

    /** [1, 3, 3, 2]: pixel (y, x) holds (10 (3y + x) + 1, 100 (3y + x) + 2)... as channel 0 and 1. */
    private static TensorValue image() {
        float[] data = new float[18];
        for (int p = 0; p < 9; p++) {
            data[2 * p] = 10 * p + 1;
            data[2 * p + 1] = 100 * p + 2;
        }
        return new TensorValue("x", new long[] {1, 3, 3, 2}, data);
    }

    @Test
    void windowsCoverRowsAndColumnsOfEveryChannel() {
        Occluder occluder = new Occluder(image(), Fill.channelMean(), InputLayout.NHWC);
        assertThat(occluder.height()).isEqualTo(3);
        assertThat(occluder.width()).isEqualTo(3);
        float[] batch = new float[36];
        occluder.paint(batch, 1, new WindowGrid.Window(1, 3, 0, 2));
        float[] painted = Arrays.copyOfRange(batch, 18, 36);
        float[] original = image().data();
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                boolean inside = y >= 1 && x < 2;
                int p = y * 3 + x;
                assertThat(painted[2 * p]).as("(%d,%d) c0", y, x).isEqualTo(inside ? 41f : original[2 * p]);
                assertThat(painted[2 * p + 1]).as("(%d,%d) c1", y, x).isEqualTo(inside ? 402f : original[2 * p + 1]);
            }
        }
        assertThat(Arrays.copyOfRange(batch, 0, 18)).containsOnly(0f);
    }

    @Test
    void fillsAreTakenPerChannelOnTheLastAxis() {
        assertThat(Fill.channelMean().perChannel(image(), InputLayout.NHWC)).containsExactly(41f, 402f);
        assertThat(Fill.mean().perChannel(image(), InputLayout.NHWC)).containsExactly(221.5f, 221.5f);
        assertThat(Fill.constant(2).perChannel(image(), InputLayout.NHWC)).containsExactly(2f, 2f);
    }
}
