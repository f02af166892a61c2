package io.dnnvis.methods.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Enlarging an image more than 4x on a side to the model's input size is told in one line. */
class UpscalingTest {

    private static final String FILE = "dot.png";

    @Test
    void factorFollowsTheResizeMode() {
        assertThat(Upscaling.factor(1, 1, 64, 64, ResizeMode.CROP)).isEqualTo(64.0);
        // 8x32 to 64x64: crop scales by the larger factor (8), fit by the smaller (2), stretch's larger side 8
        assertThat(Upscaling.factor(8, 32, 64, 64, ResizeMode.CROP)).isEqualTo(8.0);
        assertThat(Upscaling.factor(8, 32, 64, 64, ResizeMode.FIT)).isEqualTo(2.0);
        assertThat(Upscaling.factor(8, 32, 64, 64, ResizeMode.STRETCH)).isEqualTo(8.0);
        assertThat(Upscaling.factor(640, 480, 64, 64, ResizeMode.CROP)).isLessThan(1.0);
    }

    @Test
    void moreThanFourTimesWarnsInOneLine() {
        String w = Upscaling.warning(FILE, 1, 1, 64, 64, ResizeMode.CROP);
        assertThat(w).isEqualTo("warning: dot.png: the 1x1 image is enlarged 64.0x to the model's 64x64 input"
                + " (more than 4x on a side): the model sees interpolated pixels, not details");
        assertThat(w.lines()).hasSize(1);
        assertThat(Upscaling.warning(FILE, 15, 15, 64, 64, ResizeMode.CROP)).startsWith("warning: dot.png: the 15x15");
    }

    @Test
    void fourTimesOrLessIsQuiet() {
        assertThat(Upscaling.warning(FILE, 16, 16, 64, 64, ResizeMode.CROP)).isEmpty();
        assertThat(Upscaling.warning(FILE, 8, 32, 64, 64, ResizeMode.FIT)).isEmpty();
        assertThat(Upscaling.warning(FILE, 64, 64, 64, 64, ResizeMode.STRETCH)).isEmpty();
    }
}
