package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.render.ColorBar;
import io.dnnvis.testdata.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main job, as a person runs it, and the layout of the figure it writes. */
class DemoTest {

    @TempDir
    Path dir;

    @Test
    void theReadmeDemoWritesTheFigure() throws Exception {
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("visualize", TestData.glyphNet().toString(), "--image",
                TestData.file("images/glyphs/R.png").toString(), "--layer", "conv4", "--neuron", "top:4",
                "--method", "all", "-o", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().lines().skip(1).findFirst().orElseThrow()).startsWith("  R ");
        BufferedImage figure = ImageIO.read(out.resolve("all_conv4.png").toFile());
        // 64x64 panels shown at 2x (128 px), 4 columns after a 90 px label column, 8 px gaps;
        // a 28 px title and a 20 px column-label band above 4 rows, a colour bar under each reconstruction
        int panel = 128;
        assertThat(figure.getWidth()).isEqualTo(90 + 4 * (panel + 8) + 8);
        assertThat(figure.getHeight()).isEqualTo(28 + 20 + 4 * (panel + ColorBar.HEIGHT + 8) + 8);
        // the input panel shows the image as the model saw it (64x64, unchanged), enlarged 2x
        BufferedImage letter = ImageIO.read(TestData.file("images/glyphs/R.png").toFile());
        for (int[] p : new int[][] {{0, 0}, {31, 20}, {63, 63}, {10, 50}}) {
            assertThat(figure.getRGB(90 + 2 * p[0] + 1, 48 + 2 * p[1] + 1) & 0xffffff).as("pixel %d,%d", p[0], p[1])
                    .isEqualTo(letter.getRGB(p[0], p[1]) & 0xffffff);
        }
        // the corner of a reconstruction panel, where no signal comes back, is near mid-gray (zero)
        int reconstruction = figure.getRGB(90 + (panel + 8) + 2, 48 + 2) & 0xff;
        assertThat(reconstruction).isBetween(100, 156);
        // the bar under it runs from black (-m) to white (+m); the input panel has none
        int barRow = 48 + panel + 4 + 6;
        assertThat(figure.getRGB(90 + (panel + 8), barRow) & 0xffffff).isEqualTo(0x000000);
        assertThat(figure.getRGB(90 + (panel + 8) + panel - 1, barRow) & 0xffffff).isEqualTo(0xffffff);
        assertThat(figure.getRGB(90 + 2, barRow) & 0xffffff).isEqualTo(0xffffff);
        assertThat(figure.getRGB(90 + panel - 2, barRow) & 0xffffff).isEqualTo(0xffffff);
    }
}
