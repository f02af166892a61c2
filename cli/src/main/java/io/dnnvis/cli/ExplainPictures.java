package io.dnnvis.cli;

import io.dnnvis.methods.attribution.Attribution;
import io.dnnvis.methods.render.Colormap;
import io.dnnvis.methods.render.Figure;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Images;
import io.dnnvis.methods.render.Picture;
import io.dnnvis.methods.render.SaliencyMap;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code explain -o} writes: each map blended over its image and alone, with a colour bar
 * (maps that are {@code >= 0} in jet, signed ones in bwr around 0, unless --cmap says otherwise;
 * Guided Grad-CAM in gray per channel, as guided backpropagation is shown), or for {@code all} one
 * figure per image.
 */
final class ExplainPictures {

    private final HeatmapOptions options;
    private final ExplainMethod method;
    private final Path dir;
    private final List<Path> inputs;
    private final PrintWriter out;

    ExplainPictures(HeatmapOptions options, ExplainMethod method, Path dir, List<Path> inputs, PrintWriter out) {
        this.options = options;
        this.method = method;
        this.dir = dir;
        this.inputs = inputs;
        this.out = out;
    }

    void write(List<ImageOptions.Loaded> images, List<List<Attribution>> results, String layer) {
        List<String> stems = stems(images);
        for (int i = 0; i < images.size(); i++) {
            ImageOptions.Loaded image = images.get(i);
            BufferedImage picture = picture(image);
            List<Attribution> found = results.get(i);
            String target = TargetOptions.stem(found.get(0).target().target());
            if (method == ExplainMethod.ALL) {
                List<ExplainMethod> shown = method.expanded();
                List<String> columns = new ArrayList<>(List.of("input"));
                List<Picture> panels = new ArrayList<>(List.of(Picture.plain(picture)));
                for (int m = 0; m < shown.size(); m++) {
                    columns.add(shown.get(m).title());
                    panels.add(panel(shown.get(m), found.get(m), picture));
                }
                Figure figure = new Figure(image.file().getFileName() + ": " + found.get(0).targetLabel()
                        + " (layer " + layer + ")", columns).row(found.get(0).targetLabel(), panels);
                save(stems.get(i) + "_all_" + target + ".png", figure.render());
                continue;
            }
            Attribution a = found.get(0);
            String stem = stems.get(i) + "_" + OutputPaths.safeName(method.label()) + "_" + target;
            save(stem + ".png", panel(method, a, picture).forDisplay());
            if (method != ExplainMethod.GUIDED_GRADCAM) {
                save(stem + "_heatmap.png", map(a).heatmapPicture(style(method), picture.getWidth(),
                        picture.getHeight()).forDisplay());
            }
        }
    }

    /** The map of one method over the picture (Guided Grad-CAM: its own picture). */
    private Picture panel(ExplainMethod m, Attribution a, BufferedImage picture) {
        TensorValue t = a.tensor();
        long[] s = t.shape();
        if (m == ExplainMethod.GUIDED_GRADCAM) {
            return Images.reconstruction(t.data(), (int) s[1], (int) s[2], (int) s[3], options.style());
        }
        return map(a).composePicture(picture, style(m));
    }

    private static SaliencyMap map(Attribution a) {
        TensorValue t = a.tensor();
        long[] s = t.shape();
        if (s.length == 4) {
            return SaliencyMap.channelSum(t.data(), (int) s[1], (int) s[2], (int) s[3]);
        }
        return SaliencyMap.of(t.data(), (int) s[1], (int) s[2]);
    }

    private HeatmapStyle style(ExplainMethod m) {
        HeatmapStyle style = options.style();
        if (options.colormapChosen()) {
            return style;
        }
        return style.withColormap(m.nonNegative() ? Colormap.JET : Colormap.BWR);
    }

    private static BufferedImage picture(ImageOptions.Loaded image) {
        if (image.picture().isPresent()) {
            return image.picture().get();
        }
        TensorValue shown = image.nchw();
        long[] s = shown.shape();
        return Images.minMax(shown.data(), (int) s[1], (int) s[2], (int) s[3]);
    }

    /** A file stem per input: the image's name, made unique; {@code input_i} for the images of one .npy. */
    private static List<String> stems(List<ImageOptions.Loaded> images) {
        List<String> stems = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < images.size(); i++) {
            String name = images.get(i).file().getFileName().toString().replaceFirst("\\.[^.]*$", "");
            String stem = OutputPaths.safeName(name);
            if (images.get(i).picture().isEmpty() && images.size() > 1) {
                stem = stem + "_" + i;
            }
            while (!used.add(stem)) {
                stem = stem + "_" + i;
            }
            stems.add(stem);
        }
        return stems;
    }

    private void save(String name, BufferedImage image) {
        Path file = dir.resolve(name);
        OutputPaths.write(file, Images.png(image), inputs);
        out.printf("wrote %s%n", file);
    }
}
