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

    /** Told how many of the table's rows have been handed over, of how many. */
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void rowsDone(int done, int total);
    }

    /** One row's pictures. */
    public record Drawn(TopImage row, BufferedImage patch, Optional<BufferedImage> reconstruction) {
    }

    private final Visualizer vis;
    private final ImageInput.Options options;
    private final InputLayout layout;
    private final Optional<BackwardMethod> method;
    private final Progress progress;

    private AuditPictures(Visualizer vis, ImageInput.Options options, Optional<BackwardMethod> method,
            Progress progress) {
        this.vis = vis;
        this.options = options;
        this.layout = vis.layout();
        this.method = method;
        this.progress = progress;
    }

    public static AuditPictures of(Visualizer vis, ImageInput.Options options, AuditMethod method) {
        return new AuditPictures(vis, options, method.backward(), Progress.NONE);
    }

    /** These pictures, telling {@code progress} of the rows {@link #draw} hands over. */
    public AuditPictures progress(Progress progress) {
        return new AuditPictures(vis, options, method, progress);
    }

    /**
     * Draws every row of {@code result}'s top table, image by image (each decoded once), handing each
     * to {@code sink}: an image's rows of one layer are reconstructed in one backward run that shares
     * the image's forward pass, one start signal per row ({@link NeuronBatches#runOnOneImage}). The
     * pictures are drawn and {@code sink} is called on one thread of their own, in the table's image
     * order, while the next image's backward run goes on; this returns when every row has been handed
     * over.
     */
    public void draw(ImageFolder folder, AuditResult result, Consumer<Drawn> sink) {
        Map<String, List<TopImage>> byImage = new TreeMap<>();
        for (TopImage row : result.top()) {
            byImage.computeIfAbsent(row.image(), k -> new ArrayList<>()).add(row);
        }
        int total = result.top().size();
        int[] done = {0};
        Consumer<Drawn> counted = drawn -> {
            sink.accept(drawn);
            progress.rowsDone(++done[0], total);
        };
        try (PictureWorker worker = PictureWorker.start(counted)) {
            for (var entry : byImage.entrySet()) {
                ImageInput input = ImageInput.load(folder.resolve(entry.getKey()), vis.model(), options, layout);
                reconstruct(input, entry.getValue(), worker::submit);
            }
            worker.finish();
        }
    }

    /**
     * Draws the rows of one image, {@code input} (decoded with this object's options), handing each
     * to {@code sink} on the calling thread; its rows of one layer share one backward run (or runs of
     * what fits in memory).
     */
    public void drawImage(ImageInput input, List<TopImage> rows, Consumer<Drawn> sink) {
        reconstruct(input, rows, pending -> pending.drawAll(sink));
    }

    /** The options images are decoded with. */
    public ImageInput.Options options() {
        return options;
    }

    /**
     * Rows of one image whose pictures are still to be drawn: their reconstructions ({@code [n, C, H,
     * W]}, NCHW; null with no method) from one backward run.
     */
    record Pending(ImageInput input, List<TopImage> rows, float[] reconstructions, long[] shape) {

        void drawAll(Consumer<Drawn> sink) {
            int size = shape == null ? 0 : (int) (shape[1] * shape[2] * shape[3]);
            for (int k = 0; k < rows.size(); k++) {
                TopImage row = rows.get(k);
                Optional<BufferedImage> recon = reconstructions == null ? Optional.empty()
                        : Optional.of(enlarge(cropped(reconstructions, k * size, shape, row.box())));
                sink.accept(new Drawn(row, enlarge(crop(input.picture(), row.box())), recon));
            }
        }
    }

    /** One image's rows, layer by layer, in runs of what fits in memory, each handed to {@code next}. */
    private void reconstruct(ImageInput input, List<TopImage> rows, Consumer<Pending> next) {
        Map<String, List<TopImage>> byLayer = new LinkedHashMap<>();
        for (TopImage row : rows) {
            byLayer.computeIfAbsent(row.layer(), k -> new ArrayList<>()).add(row);
        }
        for (var layerRows : byLayer.entrySet()) {
            reconstruct(input, layerRows.getKey(), layerRows.getValue(), next);
        }
    }

    private void reconstruct(ImageInput input, String tensor, List<TopImage> rows, Consumer<Pending> next) {
        if (method.isEmpty()) {
            next.accept(new Pending(input, rows, null, null));
            return;
        }
        int limit = Math.max(1, NeuronBatches.limit(vis, tensor, input.tensor().shape()));
        for (int from = 0; from < rows.size(); from += limit) {
            List<TopImage> run = rows.subList(from, Math.min(rows.size(), from + limit));
            int n = run.size();
            int[] units = new int[n];
            int[] ys = new int[n];
            int[] xs = new int[n];
            for (int k = 0; k < n; k++) {
                units[k] = run.get(k).unit();
                ys[k] = run.get(k).y();
                xs[k] = run.get(k).x();
            }
            TensorValue recon = NeuronBatches.runOnOneImage(vis, method.get(), tensor, input.tensor(), units, ys, xs);
            next.accept(new Pending(input, List.copyOf(run), recon.data(), recon.shape()));
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
        int[] pixels = picture.getRGB(box.x0(), box.y0(), box.width(), box.height(), null, 0, box.width());
        BufferedImage out = new BufferedImage(box.width(), box.height(), BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, box.width(), box.height(), pixels, 0, box.width());
        return out;
    }

    /** {@code picture} scaled up by the smallest whole factor that brings its longer side to {@link #MIN_SIDE}. */
    static BufferedImage enlarge(BufferedImage picture) {
        int width = picture.getWidth();
        int height = picture.getHeight();
        int factor = Math.max(1, (MIN_SIDE + Math.max(width, height) - 1) / Math.max(width, height));
        if (factor == 1) {
            return picture;
        }
        int[] pixels = picture.getRGB(0, 0, width, height, null, 0, width);
        int outWidth = width * factor;
        int[] scaled = new int[outWidth * height * factor];
        for (int y = 0; y < height * factor; y++) {
            int from = (y / factor) * width;
            int to = y * outWidth;
            for (int x = 0; x < outWidth; x++) {
                scaled[to + x] = pixels[from + x / factor];
            }
        }
        BufferedImage out = new BufferedImage(outWidth, height * factor, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, outWidth, height * factor, scaled, 0, outWidth);
        return out;
    }
}
