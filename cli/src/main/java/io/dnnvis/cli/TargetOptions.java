package io.dnnvis.cli;

import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetArea;
import io.dnnvis.methods.image.ImageReading;
import io.dnnvis.trace.BadInputException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What refines a {@code --target} ({@code --region}, {@code --mask}, {@code --target-output}), shared
 * by the commands that explain a score; each declares {@code --target} itself (one grammar,
 * {@link Target#parse}, help {@link #TARGET_HELP}).
 */
final class TargetOptions {

    static final String TARGET_HELP = "The score to explain: class:K or class:LABEL (an output [N,K]: logit K; "
            + "[N,K,H,W] or [N,H,W,K]: the sum of class K's map; [N,T,K] or [T,N,K]: the sum over all steps), class:K@t "
            + "(step t of a sequence), "
            + "output:NAME[i,j,...] (one element of any output, an index for every axis, batch 0 included, "
            + "negative from the end) or neuron:C[,Y,X] (of --layer: its map's sum, or one position). "
            + "A sum over a Softmax's axis (always 1) is refused.";

    @Option(names = "--region", paramLabel = "Y0,X0,Y1,X1",
            description = "With class:K on a segmentation output: sum class K's map only over rows Y0..Y1-1 "
                    + "and columns X0..X1-1 (output-map coordinates, half-open).")
    TargetArea.Region region;

    @Option(names = "--mask", paramLabel = "FILE",
            description = "With class:K on a segmentation output: sum class K's map only where this PNG is nonzero "
                    + "(resized nearest to the map's size).")
    Path mask;

    @Option(names = "--target-output", paramLabel = "NAME",
            description = "The output class:K refers to, on a model with several outputs (default: the first).")
    String targetOutput;

    /** {@code target} refined by these options; null without {@code --target}. */
    Target refine(Target target) {
        if (target == null) {
            if (region != null || mask != null || targetOutput != null) {
                throw new UserException("--region, --mask and --target-output refine a --target class:K; give one");
            }
            return null;
        }
        if (!(target instanceof Target.ClassScore c)) {
            if (region != null || mask != null || targetOutput != null) {
                throw new UserException("--region, --mask and --target-output are for class targets, not " + target);
            }
            return target;
        }
        if (region != null && mask != null) {
            throw new UserException("give --region or --mask, not both");
        }
        Target.ClassScore out = targetOutput == null ? c : c.onOutput(targetOutput);
        if (region != null) {
            out = out.within(region);
        }
        if (mask != null) {
            out = out.within(readMask(mask));
        }
        return out;
    }

    /**
     * The nonzero pixels of a mask picture (any colour band; alpha ignored), read as images are (by
     * content, the pixel limit checked before decoding).
     */
    static TargetArea.Mask readMask(Path file) {
        BufferedImage image;
        try {
            image = ImageReading.readAsStored(file, ImageReading.DEFAULT_MAX_PIXELS);
        } catch (BadInputException e) {
            throw new UserException(e.getMessage() + " (--mask)");
        }
        Raster raster = image.getRaster();
        int bands = image.getColorModel().getNumColorComponents();
        // a palette image's raster holds indices: its colours are in the palette
        IndexColorModel palette = image.getColorModel() instanceof IndexColorModel p ? p : null;
        int h = image.getHeight();
        int w = image.getWidth();
        boolean[] on = new boolean[h * w];
        int[] pixel = new int[raster.getNumBands()];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.getPixel(x, y, pixel);
                if (palette != null) {
                    on[y * w + x] = (palette.getRGB(pixel[0]) & 0xffffff) != 0;
                    continue;
                }
                for (int b = 0; b < bands && !on[y * w + x]; b++) {
                    on[y * w + x] = pixel[b] != 0;
                }
            }
        }
        return new TargetArea.Mask(file.getFileName().toString(), h, w, on);
    }

    /** A file-name stem for {@code t}: {@code class_3}, {@code class_3_t2}, {@code output_NAME_0_2}, {@code n5_y1_x2}. */
    static String stem(Target t) {
        if (t instanceof Target.ClassScore c) {
            return "class_" + OutputPaths.safeName(c.classKey())
                    + (c.step().isPresent() ? "_t" + c.step().getAsInt() : "") + (c.area().isPresent() ? "_area" : "");
        }
        if (t instanceof Target.OutputElement e) {
            StringBuilder s = new StringBuilder("output_" + OutputPaths.safeName(e.output()));
            e.indices().forEach(i -> s.append('_').append(i));
            return s.toString();
        }
        Target.NeuronScore n = (Target.NeuronScore) t;
        return "n" + n.channel() + n.position().map(p -> "_y" + p.y() + "_x" + p.x()).orElse("");
    }
}
