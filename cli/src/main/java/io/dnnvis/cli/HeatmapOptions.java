package io.dnnvis.cli;

import io.dnnvis.methods.render.Colormap;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Scaling;
import picocli.CommandLine.Option;

/** The heat-map options of commands that draw saliency maps: colormap, scaling, clipping, opacity. */
final class HeatmapOptions {

    @Option(names = "--cmap", defaultValue = "bwr", paramLabel = "NAME",
            description = "Heat-map colormap: bwr, jet, viridis or gray (default: ${DEFAULT-VALUE}).")
    String cmap;

    @Option(names = "--alpha", defaultValue = "0.5", paramLabel = "A",
            description = "Opacity of the heat map over the input in composites, 0..1 (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--centering",
            description = "Scale symmetrically around 0 (zero = the colormap's middle); the default.")
    boolean centering;

    @Option(names = "--absolute", description = "Scale |value| from 0 to the clipping percentile.")
    boolean absolute;

    @Option(names = "--min-max", description = "Scale from the low to the high clipping percentile.")
    boolean minMax;

    @Option(names = "--range", paramLabel = "LO,HI", description = "Scale a fixed value range (no clipping).")
    String range;

    @Option(names = "--clip", defaultValue = "2", paramLabel = "PCT",
            description = "Share of extreme values, in percent, that saturate the colormap (default: ${DEFAULT-VALUE}).")
    double clipPercent;

    HeatmapStyle style() {
        int chosen = (centering ? 1 : 0) + (absolute ? 1 : 0) + (minMax ? 1 : 0) + (range != null ? 1 : 0);
        if (chosen > 1) {
            throw new UserException("give at most one of --centering, --absolute, --min-max and --range");
        }
        try {
            HeatmapStyle style = HeatmapStyle.defaults().withColormap(Colormap.parse(cmap)).withAlpha(alpha)
                    .withClipPercent(clipPercent);
            if (absolute) {
                return style.withScaling(Scaling.ABSOLUTE);
            }
            if (minMax) {
                return style.withScaling(Scaling.MIN_MAX);
            }
            if (range != null) {
                double[] bounds = parseRange(range);
                return style.withRange(bounds[0], bounds[1]);
            }
            return style.withScaling(Scaling.CENTERED);
        } catch (IllegalArgumentException e) {
            throw new UserException(optionOf(e.getMessage()) + e.getMessage());
        }
    }

    private static double[] parseRange(String text) {
        String[] parts = text.split(",");
        if (parts.length == 2) {
            try {
                return new double[] {Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip())};
            } catch (NumberFormatException e) {
                // the message below
            }
        }
        throw new IllegalArgumentException("range '" + text + "' is not LO,HI");
    }

    private static String optionOf(String message) {
        if (message.startsWith("alpha")) {
            return "--alpha: ";
        }
        if (message.startsWith("outlier")) {
            return "--clip: ";
        }
        if (message.startsWith("range")) {
            return "--range: ";
        }
        return "--cmap: ";
    }
}
