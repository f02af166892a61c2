package io.dnnvis.methods.render;

import java.util.Locale;

/**
 * The heat-map colormaps, computed natively as piecewise-linear curves per colour channel (the
 * control points of matplotlib's maps of the same names; viridis from 17 of its 256 table entries).
 * A position {@code t} in {@code [0, 1]} maps to a colour; positions outside are clamped.
 */
public enum Colormap {

    /** Blue (0) - white (0.5) - red (1): signed maps centred on zero. The default. */
    BWR(curve(0, 0, 0.5, 1, 1, 1), curve(0, 0, 0.5, 1, 1, 0), curve(0, 1, 0.5, 1, 1, 0)),

    /** matplotlib's jet: dark blue - cyan - yellow - dark red. */
    JET(curve(0, 0, 0.35, 0, 0.66, 1, 0.89, 1, 1, 0.5),
            curve(0, 0, 0.125, 0, 0.375, 1, 0.64, 1, 0.91, 0, 1, 0),
            curve(0, 0.5, 0.11, 1, 0.34, 1, 0.65, 0, 1, 0)),

    /** Perceptually uniform dark violet - teal - yellow. */
    VIRIDIS(Viridis.RED, Viridis.GREEN, Viridis.BLUE),

    /** Black (0) to white (1). */
    GRAY(curve(0, 0, 1, 1), curve(0, 0, 1, 1), curve(0, 0, 1, 1));

    private final Curve red;
    private final Curve green;
    private final Curve blue;

    Colormap(Curve red, Curve green, Curve blue) {
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    /** The colour at {@code t} as red, green, blue in {@code [0, 1]}; NaN counts as 0. */
    public double[] color(double t) {
        double p = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
        return new double[] {red.at(p), green.at(p), blue.at(p)};
    }

    /** The colour at {@code t} packed as {@code 0xRRGGBB} (each channel rounded to 0..255). */
    public int rgb(double t) {
        double[] c = color(t);
        return (level(c[0]) << 16) | (level(c[1]) << 8) | level(c[2]);
    }

    /**
     * Whether the map is diverging (light in the middle, two hues at the ends): a scale that starts
     * at 0 uses only its upper half, so that 0 is the light middle.
     */
    public boolean diverging() {
        return this == BWR;
    }

    /** The command-line name ({@code bwr}, {@code jet}, {@code viridis}, {@code gray}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a colormap name, case-insensitively ({@code grey} is accepted for gray). */
    public static Colormap parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (Colormap c : values()) {
            if (c.label().equals(n)) {
                return c;
            }
        }
        if (n.equals("grey")) {
            return GRAY;
        }
        throw new IllegalArgumentException("unknown colormap '" + name + "' (bwr, jet, viridis or gray)");
    }

    static int level(double c) {
        return (int) Math.max(0, Math.min(255, Math.round(c * 255)));
    }

    /** Pairs {@code x0, y0, x1, y1, ...} with increasing x from 0 to 1. */
    private static Curve curve(double... pairs) {
        double[] xs = new double[pairs.length / 2];
        double[] ys = new double[pairs.length / 2];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = pairs[2 * k];
            ys[k] = pairs[2 * k + 1];
        }
        return new Curve(xs, ys);
    }

    /** A piecewise-linear function through the points (xs[k], ys[k]). */
    record Curve(double[] xs, double[] ys) {

        double at(double x) {
            if (x <= xs[0]) {
                return ys[0];
            }
            for (int k = 1; k < xs.length; k++) {
                if (x <= xs[k]) {
                    double f = (x - xs[k - 1]) / (xs[k] - xs[k - 1]);
                    return ys[k - 1] + f * (ys[k] - ys[k - 1]);
                }
            }
            return ys[ys.length - 1];
        }
    }

    /** Entries 0, 16, 32, ..., 240 and 255 of matplotlib's 256-entry viridis table. */
    private static final class Viridis {

        private static final double[][] TABLE = {
            {0.267004, 0.004874, 0.329415}, {0.282327, 0.094955, 0.417331}, {0.278826, 0.175490, 0.483397},
            {0.258965, 0.251537, 0.524736}, {0.229739, 0.322361, 0.545706}, {0.199430, 0.387607, 0.554642},
            {0.172719, 0.448791, 0.557885}, {0.149039, 0.508051, 0.557250}, {0.127568, 0.566949, 0.550556},
            {0.120638, 0.625828, 0.533488}, {0.157851, 0.683765, 0.501686}, {0.246070, 0.738910, 0.452024},
            {0.369214, 0.788888, 0.382914}, {0.515992, 0.831158, 0.294279}, {0.678489, 0.863742, 0.189503},
            {0.845561, 0.887322, 0.099702}, {0.993248, 0.906157, 0.143936},
        };

        static final Curve RED = channel(0);
        static final Curve GREEN = channel(1);
        static final Curve BLUE = channel(2);

        private static Curve channel(int c) {
            double[] xs = new double[TABLE.length];
            double[] ys = new double[TABLE.length];
            for (int k = 0; k < TABLE.length; k++) {
                xs[k] = Math.min(255, 16 * k) / 255.0;
                ys[k] = TABLE[k][c];
            }
            return new Curve(xs, ys);
        }
    }
}
