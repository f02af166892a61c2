package io.dnnvis.cli;

import io.dnnvis.methods.render.Colormap;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Scaling;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** The heat-map options of commands that draw saliency maps: colormap, scaling, clipping, opacity. */
final class HeatmapOptions {

    @Option(names = "--cmap", defaultValue = "bwr", paramLabel = "NAME",
            description = "Heat-map colormap: bwr, jet, viridis or gray (default: ${DEFAULT-VALUE}).")
    Colormap cmap;

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
    ValueRange range;

    @Option(names = "--clip", defaultValue = "2", paramLabel = "PCT",
            description = "Share of extreme values, in percent, that saturate the colormap (default: ${DEFAULT-VALUE}).")
    double clipPercent;

    /** The style these options describe; the style itself checks alpha, clipping and range. */
    HeatmapStyle style() {
        int chosen = (centering ? 1 : 0) + (absolute ? 1 : 0) + (minMax ? 1 : 0) + (range != null ? 1 : 0);
        if (chosen > 1) {
            throw new UserException("give at most one of --centering, --absolute, --min-max and --range");
        }
        HeatmapStyle colored = HeatmapStyle.defaults().withColormap(cmap);
        HeatmapStyle blended = checked("--alpha", () -> colored.withAlpha(alpha));
        HeatmapStyle clipped = checked("--clip", () -> blended.withClipPercent(clipPercent));
        if (absolute) {
            return clipped.withScaling(Scaling.ABSOLUTE);
        }
        if (minMax) {
            return clipped.withScaling(Scaling.MIN_MAX);
        }
        if (range != null) {
            return checked("--range", () -> clipped.withRange(range.low(), range.high()));
        }
        return clipped.withScaling(Scaling.CENTERED);
    }

    /** The style {@code step} makes, or the style's refusal as a user error naming {@code option}. */
    private static HeatmapStyle checked(String option, Supplier<HeatmapStyle> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new UserException(option + ": " + e.getMessage());
        }
    }
}
