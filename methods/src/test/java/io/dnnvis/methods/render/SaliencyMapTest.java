package io.dnnvis.methods.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Scaling, clipping, resizing and blending of heat maps. */
class SaliencyMapTest {

    private static final HeatmapStyle CENTERED = HeatmapStyle.defaults().withScaling(Scaling.CENTERED);
    private static final HeatmapStyle NO_CLIP = CENTERED.withClipPercent(0);

    @Test
    void centeredHeatMapColoursAtZeroAndPlusMinusMaxAreTheColormapEnds() {
        SaliencyMap map = SaliencyMap.of(new float[] {-2, 0, 2, 1}, 2, 2);
        BufferedImage img = map.heatmap(NO_CLIP);
        assertThat(img.getWidth()).isEqualTo(2);
        assertThat(rgb(img, 0, 0)).isEqualTo(Colormap.BWR.rgb(0)).isEqualTo(0x0000ff);
        assertThat(rgb(img, 1, 0)).isEqualTo(Colormap.BWR.rgb(0.5)).isEqualTo(0xffffff);
        assertThat(rgb(img, 0, 1)).isEqualTo(Colormap.BWR.rgb(1)).isEqualTo(0xff0000);
        assertThat(rgb(img, 1, 1)).isEqualTo(Colormap.BWR.rgb(0.75));
        BufferedImage jet = map.heatmap(NO_CLIP.withColormap(Colormap.JET));
        assertThat(rgb(jet, 0, 0)).isEqualTo(0x000080);
        assertThat(rgb(jet, 0, 1)).isEqualTo(0x800000);
    }

    @Test
    void absoluteMinMaxAndFixedRangeScalings() {
        float[] v = {-4, -1, 0, 2};
        SaliencyMap map = SaliencyMap.of(v, 1, 4);
        BufferedImage abs = map.heatmap(NO_CLIP.withColormap(Colormap.GRAY).withScaling(Scaling.ABSOLUTE));
        assertThat(rgb(abs, 0, 0)).isEqualTo(0xffffff);
        assertThat(rgb(abs, 1, 0)).isEqualTo(Colormap.GRAY.rgb(0.25));
        assertThat(rgb(abs, 2, 0)).isEqualTo(0x000000);
        assertThat(rgb(abs, 3, 0)).isEqualTo(Colormap.GRAY.rgb(0.5));
        BufferedImage minMax = map.heatmap(NO_CLIP.withColormap(Colormap.GRAY).withScaling(Scaling.MIN_MAX));
        assertThat(rgb(minMax, 0, 0)).isEqualTo(0x000000);
        assertThat(rgb(minMax, 1, 0)).isEqualTo(Colormap.GRAY.rgb(0.5));
        assertThat(rgb(minMax, 3, 0)).isEqualTo(0xffffff);
        BufferedImage range = map.heatmap(NO_CLIP.withColormap(Colormap.GRAY).withRange(-1, 1));
        assertThat(rgb(range, 0, 0)).isEqualTo(0x000000);
        assertThat(rgb(range, 2, 0)).isEqualTo(Colormap.GRAY.rgb(0.5));
        assertThat(rgb(range, 3, 0)).isEqualTo(0xffffff);
        assertThatThrownBy(() -> NO_CLIP.withRange(1, 1)).hasMessageContaining("LO < HI");
    }

    @Test
    void outliersAboveTheClippingPercentileSaturate() {
        float[] v = new float[100];
        for (int k = 0; k < v.length; k++) {
            v[k] = k;
        }
        // NumPy: percentile(0..99, 98) = 97.02
        ValueScale clipped = ValueScale.of(v, CENTERED);
        assertThat(clipped.high()).isCloseTo(97.02, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(clipped.low()).isCloseTo(-97.02, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(ValueScale.of(v, NO_CLIP).high()).isEqualTo(99);
        SaliencyMap map = SaliencyMap.of(v, 10, 10);
        BufferedImage img = map.heatmap(CENTERED);
        assertThat(rgb(img, 9, 9)).isEqualTo(0xff0000);
        assertThat(rgb(img, 8, 9)).isEqualTo(0xff0000);
        assertThat(rgb(img, 0, 9)).isEqualTo(Colormap.BWR.rgb(0.5 + 0.5 * 90 / 97.02)).isNotEqualTo(0xff0000);
        BufferedImage unclipped = map.heatmap(NO_CLIP);
        assertThat(rgb(unclipped, 8, 9)).isNotEqualTo(0xff0000);
        ValueScale minMax = ValueScale.of(v, HeatmapStyle.defaults().withScaling(Scaling.MIN_MAX));
        assertThat(minMax.low()).isCloseTo(1.98, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(minMax.high()).isCloseTo(97.02, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void constantZeroAndNaNMapsDrawWithoutDividingByZero() {
        for (Scaling s : new Scaling[] {Scaling.CENTERED, Scaling.ABSOLUTE, Scaling.MIN_MAX}) {
            HeatmapStyle style = HeatmapStyle.defaults().withScaling(s).withColormap(Colormap.GRAY);
            BufferedImage zeros = SaliencyMap.of(new float[6], 2, 3).heatmap(style);
            int expected = s == Scaling.ABSOLUTE ? 0x000000 : 0x808080;
            assertThat(rgb(zeros, 2, 1)).as(s.name()).isEqualTo(expected);
            float[] nan = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
            BufferedImage nans = SaliencyMap.of(nan, 2, 2).heatmap(style, 5, 5);
            assertThat(rgb(nans, 4, 4)).as(s.name()).isEqualTo(expected);
        }
        float[] three = {3, 3, 3, 3};
        assertThat(rgb(SaliencyMap.of(three, 2, 2).heatmap(HeatmapStyle.defaults()), 1, 1)).isEqualTo(0xff0000);
        BufferedImage flat = SaliencyMap.of(three, 2, 2)
                .heatmap(HeatmapStyle.defaults().withScaling(Scaling.MIN_MAX), 2, 2);
        assertThat(rgb(flat, 0, 0)).isEqualTo(0xffffff);
        float[] mixed = {Float.NaN, 1, -1, Float.POSITIVE_INFINITY};
        BufferedImage m = SaliencyMap.of(mixed, 2, 2).heatmap(NO_CLIP);
        assertThat(rgb(m, 0, 0)).isEqualTo(0xffffff);
        assertThat(rgb(m, 1, 0)).isEqualTo(0xff0000);
        assertThat(rgb(m, 0, 1)).isEqualTo(0x0000ff);
        assertThat(rgb(m, 1, 1)).isEqualTo(0xff0000);
    }

    @Test
    void bilinearResizeUsesPixelCentresAndKeepsNaNLocal() {
        SaliencyMap row = SaliencyMap.of(new float[] {0, 4}, 1, 2);
        assertThat(row.resize(1, 4).values()).containsExactly(0f, 1f, 3f, 4f);
        SaliencyMap square = SaliencyMap.of(new float[] {0, 4, 8, 12}, 2, 2).resize(4, 4);
        assertThat(square.value(0, 0)).isEqualTo(0f);
        assertThat(square.value(1, 1)).isEqualTo(3f);
        assertThat(square.value(3, 3)).isEqualTo(12f);
        SaliencyMap withNaN = SaliencyMap.of(new float[] {Float.NaN, 4, 8, 12}, 2, 2).resize(4, 4);
        assertThat(withNaN.value(0, 0)).isNaN();
        assertThat(withNaN.value(1, 1)).isNaN();
        assertThat(withNaN.value(3, 3)).isEqualTo(12f);
        assertThat(withNaN.value(3, 0)).isEqualTo(8f);
        BufferedImage big = SaliencyMap.of(new float[] {-1, 1}, 1, 2).heatmap(NO_CLIP, 8, 3);
        assertThat(big.getWidth()).isEqualTo(8);
        assertThat(big.getHeight()).isEqualTo(3);
        assertThat(rgb(big, 0, 2)).isEqualTo(0x0000ff);
        assertThat(rgb(big, 7, 0)).isEqualTo(0xff0000);
    }

    @Test
    void composeBlendsOverThePictureAndAlphaZeroGivesThePictureBack() {
        BufferedImage picture = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 4; x++) {
            picture.setRGB(x, 0, 0x204060 + x);
            picture.setRGB(x, 1, 0xa0c0e0 - x);
        }
        SaliencyMap constant = SaliencyMap.of(new float[] {5, 5, 5, 5}, 2, 2);
        BufferedImage same = constant.compose(picture, HeatmapStyle.defaults().withAlpha(0));
        BufferedImage nans = SaliencyMap.of(new float[] {Float.NaN}, 1, 1).compose(picture, HeatmapStyle.defaults());
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(rgb(same, x, y)).isEqualTo(picture.getRGB(x, y) & 0xffffff);
                assertThat(rgb(nans, x, y)).isEqualTo(picture.getRGB(x, y) & 0xffffff);
            }
        }
        BufferedImage half = constant.compose(picture, HeatmapStyle.defaults());
        // red (255, 0, 0) half over (0x20, 0x40, 0x60): (143.5, 32, 48) -> rounded
        assertThat(rgb(half, 0, 0)).isEqualTo((144 << 16) | (32 << 8) | 48);
        BufferedImage full = constant.compose(picture, HeatmapStyle.defaults().withAlpha(1));
        assertThat(rgb(full, 3, 1)).isEqualTo(0xff0000);
        assertThatThrownBy(() -> HeatmapStyle.defaults().withAlpha(1.5)).hasMessageContaining("alpha");
    }

    @Test
    void reconstructionsBecomeMagnitudeMaps() {
        float[] chw = {1, -2, 3, -4, 10, 20, 30, 40};
        SaliencyMap map = SaliencyMap.fromReconstruction(chw, 2, 2, 2);
        assertThat(map.values()).containsExactly(11f, 22f, 33f, 44f);
        assertThat(map.toINDArray().shape()).containsExactly(2, 2);
        assertThat(SaliencyMap.of(map.toINDArray()).values()).containsExactly(map.values());
    }

    private static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xffffff;
    }
}
