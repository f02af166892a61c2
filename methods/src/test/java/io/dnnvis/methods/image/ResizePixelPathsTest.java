package io.dnnvis.methods.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The resize reads the pixels straight from the raster for the types ImageIO decodes into (three
 * bytes BGR, packed int RGB) and through the colour model otherwise: every path gives the same
 * picture, and each output pixel is the antialiased bilinear filter of the input (computed here
 * independently, per channel, in double precision).
 */
class ResizePixelPathsTest {

    private static BufferedImage random(int type, int w, int h, long seed) {
        Random rnd = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        return img;
    }

    private static BufferedImage copy(BufferedImage from, int type) {
        BufferedImage to = new BufferedImage(from.getWidth(), from.getHeight(), type);
        to.getGraphics().drawImage(from, 0, 0, null);
        return to;
    }

    @Test
    void everyPixelPathGivesTheSamePicture() {
        for (ResizeMode mode : ResizeMode.values()) {
            BufferedImage bgr = random(BufferedImage.TYPE_3BYTE_BGR, 61, 47, 3);
            int[] a = pixels(ImageInput.resize(bgr, 24, 20, mode));
            int[] b = pixels(ImageInput.resize(copy(bgr, BufferedImage.TYPE_INT_RGB), 24, 20, mode));
            int[] c = pixels(ImageInput.resize(copy(bgr, BufferedImage.TYPE_INT_ARGB), 24, 20, mode));
            assertThat(b).as("%s int RGB", mode).containsExactly(a);
            assertThat(c).as("%s through the colour model", mode).containsExactly(a);
        }
    }

    @Test
    void eachPixelIsTheAntialiasedBilinearFilter() {
        BufferedImage img = random(BufferedImage.TYPE_3BYTE_BGR, 40, 30, 9);
        int outW = 16;
        int outH = 11;
        int[] out = pixels(ImageInput.resize(img, outW, outH, ResizeMode.STRETCH));
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double expected = filtered(img, shift, ox, oy, outW, outH);
                    int got = (out[oy * outW + ox] >> shift) & 0xff;
                    assertThat((double) got).as("channel %d at %d,%d", c, ox, oy).isCloseTo(expected,
                            org.assertj.core.data.Offset.offset(0.51));
                }
            }
        }
    }

    /** PIL's bilinear shrink: a triangle filter widened by the scale, normalised, separable. */
    private static double filtered(BufferedImage img, int shift, int ox, int oy, int outW, int outH) {
        double[] wx = triangle(img.getWidth(), outW, ox);
        double[] wy = triangle(img.getHeight(), outH, oy);
        double sum = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                sum += wy[y] * wx[x] * ((img.getRGB(x, y) >> shift) & 0xff);
            }
        }
        return sum;
    }

    private static double[] triangle(int in, int out, int o) {
        double scale = (double) in / out;
        double radius = Math.max(1, scale);
        double centre = (o + 0.5) * scale;
        double[] w = new double[in];
        double total = 0;
        for (int i = 0; i < in; i++) {
            w[i] = Math.max(0, 1 - Math.abs(i + 0.5 - centre) / radius);
            total += w[i];
        }
        for (int i = 0; i < in; i++) {
            w[i] /= total;
        }
        return w;
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
