package io.dnnvis.methods.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gray reconstructions with outlier clipping, scales chosen from the sign, colour bars and enlarging. */
class PicturesTest {

    private static final HeatmapStyle STYLE = HeatmapStyle.defaults();

    /** A 64x64 ramp in [-1, 1] with one outlier of 1000 in a corner. */
    private static float[] rampWithOutlier() {
        float[] v = new float[64 * 64];
        for (int k = 0; k < v.length; k++) {
            v[k] = -1 + 2f * k / (v.length - 1);
        }
        v[v.length - 1] = 1000;
        return v;
    }

    @Test
    void grayReconstructionsClipOneOutlierByDefaultAndScaleToMaxWithClipZero() {
        float[] v = rampWithOutlier();
        BufferedImage clipped = Images.reconstruction(v, 1, 64, 64, STYLE).image();
        BufferedImage unclipped = Images.reconstruction(v, 1, 64, 64, STYLE.withClipPercent(0)).image();
        // within 10% of mid-gray: |level - 128| <= 12
        assertThat(nearMidGray(clipped)).isLessThan(0.2);
        assertThat(nearMidGray(unclipped)).isGreaterThan(0.99);
        // clip 0 is max|v| scaling: v = 1 -> 127.5 + 127.5 / 1000
        assertThat(level(unclipped, 62, 63)).isEqualTo(128);
        assertThat(level(unclipped, 63, 63)).isEqualTo(255);
        // 2% clipping: the 98th percentile of |v| here is about 0.96, so v = -1 is black and the outlier white
        assertThat(level(clipped, 0, 0)).isZero();
        assertThat(level(clipped, 63, 63)).isEqualTo(255);
    }

    @Test
    void grayReconstructionsDrawZeroAsGray128PerChannelWithABlackToWhiteBar() {
        float[] chw = {0, 2, -2, 0, /* green */ 1, 0, 0, -1, /* blue */ 0, 0, 2, 2};
        Picture p = Images.reconstruction(chw, 3, 2, 2, STYLE.withClipPercent(0));
        assertThat(p.image().getRGB(0, 0) & 0xffffff).isEqualTo((128 << 16) | (191 << 8) | 128);
        assertThat(p.image().getRGB(1, 0) & 0xffffff).isEqualTo((255 << 16) | (128 << 8) | 128);
        assertThat(p.image().getRGB(0, 1) & 0xffffff).isEqualTo((0 << 16) | (128 << 8) | 255);
        assertThat(p.scale()).isPresent();
        assertThat(p.scale().get().low()).isEqualTo(-2);
        assertThat(p.scale().get().high()).isEqualTo(2);
        BufferedImage shown = p.forDisplay();
        int barRow = shown.getHeight() - ColorBar.HEIGHT + ColorBar.GAP + ColorBar.BAR / 2;
        assertThat(shown.getRGB(0, barRow) & 0xffffff).isEqualTo(0x000000);
        assertThat(shown.getRGB(shown.getWidth() - 1, barRow) & 0xffffff).isEqualTo(0xffffff);
    }

    @Test
    void nonNegativeMapsStartAtTheColormapsLowEndAndSignedMapsAreCentred() {
        SaliencyMap positive = SaliencyMap.of(new float[] {0, 1, 2, 4}, 2, 2);
        SaliencyMap signed = SaliencyMap.of(new float[] {0, 1, -2, 4}, 2, 2);
        for (Colormap c : Colormap.values()) {
            HeatmapStyle style = STYLE.withColormap(c).withClipPercent(0);
            int zeroOfPositive = positive.heatmap(style).getRGB(0, 0) & 0xffffff;
            int maxOfPositive = positive.heatmap(style).getRGB(1, 1) & 0xffffff;
            int zeroOfSigned = signed.heatmap(style).getRGB(0, 0) & 0xffffff;
            int minOfSigned = signed.heatmap(style).getRGB(0, 1) & 0xffffff;
            assertThat(zeroOfPositive).as(c.label()).isEqualTo(c == Colormap.BWR ? 0xffffff : c.rgb(0));
            assertThat(maxOfPositive).as(c.label()).isEqualTo(c.rgb(1));
            assertThat(zeroOfSigned).as(c.label()).isEqualTo(c.rgb(0.5));
            assertThat(minOfSigned).as(c.label()).isEqualTo(c.rgb(0.25)); // -2 of a -4..4 scale
        }
        assertThat(ValueScale.of(positive.values(), STYLE).scaling()).isEqualTo(Scaling.ABSOLUTE);
        assertThat(ValueScale.of(signed.values(), STYLE).scaling()).isEqualTo(Scaling.CENTERED);
        // an explicit centering is kept for a map >= 0
        BufferedImage centred = positive.heatmap(STYLE.withScaling(Scaling.CENTERED).withColormap(Colormap.JET));
        assertThat(centred.getRGB(0, 0) & 0xffffff).isEqualTo(Colormap.JET.rgb(0.5));
    }

    @Test
    void heatMapFilesAreEnlargedWithAColourBarWhoseEndsAreTheScaleEnds() {
        float[] v = new float[64 * 64];
        for (int k = 0; k < v.length; k++) {
            v[k] = k % 64; // columns 0..63
        }
        SaliencyMap map = SaliencyMap.of(v, 64, 64);
        assertThat(Display.factor(64, 64)).isEqualTo(4);
        for (Colormap c : new Colormap[] {Colormap.JET, Colormap.BWR}) {
            Picture p = map.heatmapPicture(STYLE.withColormap(c).withClipPercent(0), 64, 64);
            BufferedImage shown = p.forDisplay();
            assertThat(shown.getWidth()).isEqualTo(256);
            assertThat(shown.getHeight()).isEqualTo(256 + ColorBar.HEIGHT);
            // nearest neighbour: a 4x4 block per value
            for (int dy = 0; dy < 4; dy++) {
                for (int dx = 0; dx < 4; dx++) {
                    assertThat(shown.getRGB(4 * 5 + dx, 4 * 7 + dy)).isEqualTo(p.image().getRGB(5, 7));
                }
            }
            int barRow = 256 + ColorBar.GAP + ColorBar.BAR / 2;
            int lowEnd = c == Colormap.BWR ? 0xffffff : c.rgb(0);
            assertThat(shown.getRGB(0, barRow) & 0xffffff).as(c.label()).isEqualTo(lowEnd)
                    .isEqualTo(p.image().getRGB(0, 0) & 0xffffff);
            assertThat(shown.getRGB(255, barRow) & 0xffffff).as(c.label()).isEqualTo(c.rgb(1))
                    .isEqualTo(p.image().getRGB(63, 0) & 0xffffff);
            assertThat(darkPixels(shown, 256 + ColorBar.GAP + ColorBar.BAR, shown.getHeight())).as("numbers")
                    .isGreaterThan(10);
        }
    }

    @Test
    void enlargingIsAWholeFactorAndStopsAtTheLongSideLimit() {
        assertThat(Display.factor(32, 32)).isEqualTo(7);
        assertThat(Display.factor(224, 300)).isEqualTo(1);
        assertThat(Display.factor(100, 100)).isEqualTo(3);
        assertThat(Display.factor(1, 5000)).isEqualTo(1);
        assertThat(Display.factor(10, 1000)).isEqualTo(4);
        BufferedImage big = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
        assertThat(Display.enlarge(big)).isSameAs(big);
    }

    @Test
    void figuresDrawABarUnderEachScaledPanel() {
        BufferedImage input = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        BufferedImage small = Images.reconstruction(new float[32 * 32], 1, 32, 32, STYLE).image();
        BufferedImage plain = new Figure("t", List.of("a", "b"))
                .row("n", List.of(Picture.plain(input), Picture.plain(small))).render();
        BufferedImage barred = new Figure("t", List.of("a", "b"))
                .row("n", List.of(Picture.plain(input), Images.reconstruction(new float[32 * 32], 1, 32, 32,
                        STYLE))).render();
        assertThat(barred.getWidth()).isEqualTo(plain.getWidth());
        assertThat(barred.getHeight()).isEqualTo(plain.getHeight() + ColorBar.HEIGHT);
    }

    @Test
    void barNumbersHaveThreeSignificantDigits() {
        assertThat(ColorBar.number(0)).isEqualTo("0");
        assertThat(ColorBar.number(97.02)).isEqualTo("97");
        assertThat(ColorBar.number(-0.012345)).isEqualTo("-0.0123");
        assertThat(ColorBar.number(1234.5)).isEqualTo("1230");
        assertThat(ColorBar.number(2.5e-5)).isEqualTo("2.50e-05");
        assertThat(ColorBar.number(-3e7)).isEqualTo("-3.00e+07");
    }

    private static double nearMidGray(BufferedImage img) {
        int near = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                near += Math.abs(level(img, x, y) - 128) <= 12 ? 1 : 0;
            }
        }
        return (double) near / (img.getWidth() * img.getHeight());
    }

    private static int level(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xff;
    }

    private static int darkPixels(BufferedImage img, int fromRow, int toRow) {
        int dark = 0;
        for (int y = fromRow; y < toRow; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                dark += (img.getRGB(x, y) & 0xff) < 128 ? 1 : 0;
            }
        }
        return dark;
    }
}
