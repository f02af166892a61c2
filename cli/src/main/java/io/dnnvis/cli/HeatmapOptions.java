package io.dnnvis.cli;

import io.dnnvis.methods.render.Colormap;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Scaling;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * The options of commands that draw maps: colormap, scaling, clipping, opacity. Without a scaling
 * option a map that is {@code >= 0} everywhere is scaled from 0 and a signed one around 0.
 */
final class HeatmapOptions {

    @Option(names = "--cmap", paramLabel = "NAME",
            description = "Colormap: bwr, jet, viridis or gray (default: bwr for heat maps; reconstructions are drawn "
                    + "in gray per input channel unless --cmap is given, then their sum over channels in its colours).")
    Colormap cmap;

    @Option(names = "--alpha", defaultValue = "0.5", paramLabel = "A",
            description = "Opacity of the heat map over the input in composites, 0..1 (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--centering",
            description = "Scale symmetrically around 0 (zero = the colormap's middle); without a scaling option maps "
                    + "that are >= 0 everywhere are scaled from 0 (bwr: white to red), signed ones around 0.")
    boolean centering;

    @Option(names = "--absolute", description = "Scale |value| from 0 to the clipping percentile.")
    boolean absolute;

    @Option(names = "--min-max", description = "Scale from the low to the high clipping percentile.")
    boolean minMax;

    @Option(names = "--range", paramLabel = "LO,HI", description = "Scale a fixed value range (no clipping).")
    ValueRange range;

    @Option(names = "--clip", defaultValue = "2", paramLabel = "PCT",
            description = "Share of extreme values, in percent, that saturate the colormap or gray scale "
                    + "(default: ${DEFAULT-VALUE}; 0 scales to the largest |value|).")
    double clipPercent;

    /** The style these options describe; the style itself checks alpha, clipping and range. */
    HeatmapStyle style() {
        int chosen = (centering ? 1 : 0) + (absolute ? 1 : 0) + (minMax ? 1 : 0) + (range != null ? 1 : 0);
        if (chosen > 1) {
            throw new UserException("give at most one of --centering, --absolute, --min-max and --range");
        }
        HeatmapStyle colored = HeatmapStyle.defaults().withColormap(cmap == null ? Colormap.BWR : cmap);
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
        return clipped.withScaling(centering ? Scaling.CENTERED : Scaling.AUTO);
    }

    /** Whether --cmap was given: reconstructions are then drawn in its colours rather than in gray. */
    boolean colormapChosen() {
        return cmap != null;
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
