package io.dnnvis.methods.audit;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.NeuronBatches;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Images;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The pictures of an audit's top table: for each row the receptive-field crop of the image as the
 * model saw it, and the reconstruction of the unit started at its maximum only (the method's
 * backward net from that one position), over the same box. Both are scaled up (nearest neighbour)
 * so that the longer side is at least {@link #MIN_SIDE} pixels. Each image is decoded once, and its
 * rows of a layer share one forward pass.
 */
public final class AuditPictures {

    /** The shortest longer side of a picture, in pixels. */
    public static final int MIN_SIDE = 96;

    /** One row's pictures. */
    public record Drawn(TopImage row, BufferedImage patch, Optional<BufferedImage> reconstruction) {
    }

    private final Visualizer vis;
    private final ImageInput.Options options;
    private final InputLayout layout;
    private final Optional<BackwardMethod> method;

    private AuditPictures(Visualizer vis, ImageInput.Options options, Optional<BackwardMethod> method) {
        this.vis = vis;
        this.options = options;
        this.layout = vis.layout();
        this.method = method;
    }

    public static AuditPictures of(Visualizer vis, ImageInput.Options options, AuditMethod method) {
        return new AuditPictures(vis, options, method.backward());
    }

    /**
     * Draws every row of {@code result}'s top table, image by image (each decoded once), handing each
     * to {@code sink}: an image's rows of one layer are reconstructed in one backward run that shares
     * the image's forward pass, one start signal per row ({@link NeuronBatches#runOnOneImage}).
     */
    public void draw(ImageFolder folder, AuditResult result, Consumer<Drawn> sink) {
        Map<String, List<TopImage>> byImage = new TreeMap<>();
        for (TopImage row : result.top()) {
            byImage.computeIfAbsent(row.image(), k -> new ArrayList<>()).add(row);
        }
        for (var entry : byImage.entrySet()) {
            drawImage(ImageInput.load(folder.resolve(entry.getKey()), vis.model(), options, layout),
                    entry.getValue(), sink);
        }
    }

    /**
     * Draws the rows of one image, {@code input} (decoded with this object's options), handing each
     * to {@code sink}; its rows of one layer share one backward run (or runs of what fits in memory).
     */
    public void drawImage(ImageInput input, List<TopImage> rows, Consumer<Drawn> sink) {
        Map<String, List<TopImage>> byLayer = new LinkedHashMap<>();
        for (TopImage row : rows) {
            byLayer.computeIfAbsent(row.layer(), k -> new ArrayList<>()).add(row);
        }
        for (var layerRows : byLayer.entrySet()) {
            draw(input, layerRows.getKey(), layerRows.getValue(), sink);
        }
    }

    /** The options images are decoded with. */
    public ImageInput.Options options() {
        return options;
    }

    /** One image's rows of one layer: patches, and the reconstructions in runs of what fits in memory. */
    private void draw(ImageInput input, String tensor, List<TopImage> rows, Consumer<Drawn> sink) {
        if (method.isEmpty()) {
            rows.forEach(row -> sink.accept(new Drawn(row, enlarge(crop(input.picture(), row.box())),
                    Optional.empty())));
            return;
        }
        int limit = Math.max(1, NeuronBatches.limit(vis, tensor, input.tensor().shape()));
        for (int from = 0; from < rows.size(); from += limit) {
            int n = Math.min(limit, rows.size() - from);
            int[] units = new int[n];
            int[] ys = new int[n];
            int[] xs = new int[n];
            for (int k = 0; k < n; k++) {
                TopImage row = rows.get(from + k);
                units[k] = row.unit();
                ys[k] = row.y();
                xs[k] = row.x();
            }
            TensorValue recon = NeuronBatches.runOnOneImage(vis, method.get(), tensor, input.tensor(), units, ys, xs);
            float[] all = recon.data();
            long[] shape = recon.shape();
            int size = (int) (shape[1] * shape[2] * shape[3]);
            for (int k = 0; k < n; k++) {
                TopImage row = rows.get(from + k);
                sink.accept(new Drawn(row, enlarge(crop(input.picture(), row.box())),
                        Optional.of(enlarge(cropped(all, k * size, shape, row.box())))));
            }
        }
    }

    /** The reconstruction at {@code offset} of {@code all} ({@code [., C, H, W]}) over {@code box}, drawn. */
    private static BufferedImage cropped(float[] all, int offset, long[] shape, ReceptiveField.Box box) {
        int channels = (int) shape[1];
        int height = (int) shape[2];
        int width = (int) shape[3];
        float[] cut = new float[channels * box.height() * box.width()];
        int k = 0;
        for (int c = 0; c < channels; c++) {
            for (int y = box.y0(); y <= box.y1(); y++) {
                for (int x = box.x0(); x <= box.x1(); x++) {
                    cut[k++] = all[offset + (c * height + y) * width + x];
                }
            }
        }
        return Images.reconstruction(cut, channels, box.height(), box.width(), HeatmapStyle.defaults()).image();
    }

    static BufferedImage crop(BufferedImage picture, ReceptiveField.Box box) {
        BufferedImage out = new BufferedImage(box.width(), box.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < box.height(); y++) {
            for (int x = 0; x < box.width(); x++) {
                out.setRGB(x, y, picture.getRGB(box.x0() + x, box.y0() + y));
            }
        }
        return out;
    }

    /** {@code picture} scaled up by the smallest whole factor that brings its longer side to {@link #MIN_SIDE}. */
    static BufferedImage enlarge(BufferedImage picture) {
        int longer = Math.max(picture.getWidth(), picture.getHeight());
        int factor = Math.max(1, (MIN_SIDE + longer - 1) / longer);
        if (factor == 1) {
            return picture;
        }
        BufferedImage out = new BufferedImage(picture.getWidth() * factor, picture.getHeight() * factor,
                BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, picture.getRGB(x / factor, y / factor));
            }
        }
        return out;
    }
}
