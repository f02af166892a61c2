package io.dnnvis.methods.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Colormap colours at their control points and between them (matplotlib's values). */
class ColormapTest {

    @Test
    void bwrGoesBlueWhiteRed() {
        assertThat(Colormap.BWR.rgb(0)).isEqualTo(0x0000ff);
        assertThat(Colormap.BWR.rgb(0.5)).isEqualTo(0xffffff);
        assertThat(Colormap.BWR.rgb(1)).isEqualTo(0xff0000);
        assertThat(Colormap.BWR.rgb(0.25)).isEqualTo(0x8080ff);
        assertThat(Colormap.BWR.rgb(0.75)).isEqualTo(0xff8080);
    }

    @Test
    void jetMatchesMatplotlib() {
        assertThat(Colormap.JET.rgb(0)).isEqualTo(0x000080);
        assertThat(Colormap.JET.rgb(1)).isEqualTo(0x800000);
        // matplotlib: jet(0.5) = (0.4838, 1.0, 0.4838)
        assertThat(Colormap.JET.rgb(0.5)).isEqualTo(0x7bff7b);
        double[] quarter = Colormap.JET.color(0.25);
        assertThat(quarter[0]).isZero();
        assertThat(quarter[1]).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(quarter[2]).isEqualTo(1.0);
    }

    @Test
    void viridisHitsItsTableAndStaysCloseBetweenControlPoints() {
        assertThat(Colormap.VIRIDIS.rgb(0)).isEqualTo(0x440154);
        assertThat(Colormap.VIRIDIS.rgb(1)).isEqualTo(0xfde725);
        assertThat(Colormap.VIRIDIS.rgb(64 / 255.0)).isEqualTo(rgb(0.229739, 0.322361, 0.545706));
        // matplotlib's 256-entry table: entry 128 = (0.127568, 0.566949, 0.550556), entry 200 = (0.440137, 0.811138, 0.340967)
        assertClose(Colormap.VIRIDIS.color(128 / 255.0), 0.127568, 0.566949, 0.550556);
        assertClose(Colormap.VIRIDIS.color(200 / 255.0), 0.440137, 0.811138, 0.340967);
    }

    @Test
    void grayIsLinearAndPositionsClamp() {
        assertThat(Colormap.GRAY.rgb(0)).isEqualTo(0x000000);
        assertThat(Colormap.GRAY.rgb(0.25)).isEqualTo(0x404040);
        assertThat(Colormap.GRAY.rgb(1)).isEqualTo(0xffffff);
        assertThat(Colormap.GRAY.rgb(-3)).isEqualTo(0x000000);
        assertThat(Colormap.GRAY.rgb(7)).isEqualTo(0xffffff);
        assertThat(Colormap.GRAY.rgb(Double.NaN)).isEqualTo(0x000000);
    }

    @Test
    void namesParse() {
        assertThat(Colormap.parse(" Viridis")).isEqualTo(Colormap.VIRIDIS);
        assertThat(Colormap.parse("grey")).isEqualTo(Colormap.GRAY);
        assertThat(Colormap.BWR.label()).isEqualTo("bwr");
        assertThatThrownBy(() -> Colormap.parse("hot")).hasMessageContaining("unknown colormap 'hot'");
    }

    private static int rgb(double r, double g, double b) {
        return (Colormap.level(r) << 16) | (Colormap.level(g) << 8) | Colormap.level(b);
    }

    private static void assertClose(double[] color, double r, double g, double b) {
        org.assertj.core.data.Offset<Double> tolerance = org.assertj.core.data.Offset.offset(0.004);
        assertThat(color[0]).isCloseTo(r, tolerance);
        assertThat(color[1]).isCloseTo(g, tolerance);
        assertThat(color[2]).isCloseTo(b, tolerance);
    }
}
