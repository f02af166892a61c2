package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.render.ColorBar;
import io.dnnvis.methods.render.Colormap;
import io.dnnvis.testdata.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --clip and --cmap on gray reconstructions, scales chosen from the sign, colour bars and enlarged files. */
class PictureOptionsTest {

    private static final String PNG = "salinet_conv2_n5.png";

    @TempDir
    Path dir;

    private BufferedImage visualize(String out, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("visualize", TestData.referenceModel("lenet").toString(),
                "--input-npy", TestData.referenceInput("lenet").toString(), "--layer", "conv2", "--neuron", "5",
                "--method", "salinet", "-o", dir.resolve(out).toString()));
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.code()).as(run.err()).isZero();
        String name = List.of(options).contains("--heatmap") ? PNG.replace(".png", "_heatmap.png") : PNG;
        return ImageIO.read(dir.resolve(out).resolve(name).toFile());
    }

    private byte[] bytes(String out) throws Exception {
        return Files.readAllBytes(dir.resolve(out).resolve(PNG));
    }

    @Test
    void clipAndCmapChangeGrayReconstructions() throws Exception {
        BufferedImage gray = visualize("gray");
        BufferedImage jet = visualize("jet", "--cmap", "jet");
        visualize("clip0", "--clip", "0");
        assertThat(bytes("jet")).isNotEqualTo(bytes("gray"));
        assertThat(bytes("clip0")).isNotEqualTo(bytes("gray"));
        // 32x32 enlarged 7x, a colour bar under it: black to white for gray, jet's ends for --cmap jet
        assertThat(gray.getWidth()).isEqualTo(224);
        assertThat(gray.getHeight()).isEqualTo(224 + ColorBar.HEIGHT);
        int barRow = 224 + ColorBar.HEIGHT / 4;
        assertThat(rgb(gray, 0, barRow)).isEqualTo(0x000000);
        assertThat(rgb(gray, 223, barRow)).isEqualTo(0xffffff);
        assertThat(rgb(jet, 0, barRow)).isEqualTo(Colormap.JET.rgb(0));
        assertThat(rgb(jet, 223, barRow)).isEqualTo(Colormap.JET.rgb(1));
        // jet pixels are jet colours, not gray ones
        long colourful = 0;
        for (int y = 0; y < 224; y += 7) {
            for (int x = 0; x < 224; x += 7) {
                int c = rgb(jet, x, y);
                colourful += ((c >> 16) & 0xff) != (c & 0xff) ? 1 : 0;
            }
        }
        assertThat(colourful).isGreaterThan(512);
    }

    @Test
    void heatMapsOfMagnitudesStartAtTheColormapsLowEnd() throws Exception {
        BufferedImage bwr = visualize("bwr", "--heatmap", "--alpha", "1");
        BufferedImage viridis = visualize("viridis", "--heatmap", "--alpha", "1", "--cmap", "viridis");
        int barRow = 224 + ColorBar.HEIGHT / 4;
        // |signal| >= 0: bwr from white (0) to red, viridis from its first colour
        assertThat(rgb(bwr, 0, barRow)).isEqualTo(0xffffff);
        assertThat(rgb(bwr, 223, barRow)).isEqualTo(0xff0000);
        assertThat(rgb(viridis, 0, barRow)).isEqualTo(Colormap.VIRIDIS.rgb(0));
        assertThat(rgb(viridis, 223, barRow)).isEqualTo(Colormap.VIRIDIS.rgb(1));
        // no pixel of the bwr map is bluish: nothing is below the white middle
        for (int y = 0; y < 224; y += 7) {
            for (int x = 0; x < 224; x += 7) {
                int c = rgb(bwr, x, y);
                assertThat((c >> 16) & 0xff).as("%d,%d", x, y).isGreaterThanOrEqualTo(c & 0xff);
            }
        }
    }

    private static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xffffff;
    }
}
