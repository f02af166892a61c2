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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** Images in one backward run where a layer's rows of several images share it. */
    static final int IMAGES_PER_RUN = 8;

    /**
     * Start signals of one such run at most, over all its images: {@code --neuron all}'s runs of 64
     * (measured on AlexNet conv5: runs of 16 to 64 take the same time per signal).
     */
    static final int SIGNALS_PER_RUN = 64;

    /** Threads that draw a run's pictures, the caller's included. */
    static final int PICTURE_THREADS = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));

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
     * Draws every row of {@code result}'s top table, handing each to {@code sink}. With a method, a
     * layer's rows of several images are reconstructed in one backward run
     * ({@link NeuronBatches#runOnImages}, packed by {@link ImageRuns}) where the model's graph runs a
     * batch of images; otherwise image by image (each decoded once), an image's rows of a layer in one
     * run that shares its forward pass ({@link NeuronBatches#runOnOneImage}). After each run its
     * pictures are drawn on all cores ({@link PictureStage}: {@code sink} is called from several
     * threads at once, in no set order) while the next run's images are decoded; this returns when
     * every row has been handed over.
     */
    public void draw(ImageFolder folder, AuditResult result, Consumer<Drawn> sink) {
        int total = result.top().size();
        AtomicInteger done = new AtomicInteger();
        Object told = new Object();
        Consumer<Drawn> counted = drawn -> {
            sink.accept(drawn);
            synchronized (told) {
                progress.rowsDone(done.incrementAndGet(), total);
            }
        };
        Map<String, List<TopImage>> byLayer = new LinkedHashMap<>();
        for (TopImage row : result.top()) {
            byLayer.computeIfAbsent(row.layer(), k -> new ArrayList<>()).add(row);
        }
        try (PictureStage pictures = PictureStage.start(PICTURE_THREADS, counted)) {
            List<TopImage> oneByOne = new ArrayList<>();
            for (var layer : byLayer.entrySet()) {
                if (!reconstructTogether(folder, layer.getKey(), byImage(layer.getValue()), pictures::drawAll)) {
                    oneByOne.addAll(layer.getValue());
                }
            }
            for (var entry : byImage(oneByOne).entrySet()) {
                List<Pending> runs = new ArrayList<>();
                reconstruct(load(folder, entry.getKey()), entry.getValue(), runs::add);
                pictures.drawAll(runs);
            }
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
     * Rows of one image whose pictures are still to be drawn: their reconstructions (NCHW, each of
     * {@code shape}'s last three axes, row k's at {@code offsets[k]} of {@code reconstructions}; null
     * with no method) from one backward run.
     */
    record Pending(ImageInput input, List<TopImage> rows, float[] reconstructions, int[] offsets, long[] shape) {

        /** Rows whose reconstructions follow one another in {@code reconstructions}, {@code [n, C, H, W]}. */
        static Pending consecutive(ImageInput input, List<TopImage> rows, float[] reconstructions, long[] shape) {
            int size = (int) (shape[1] * shape[2] * shape[3]);
            int[] offsets = new int[rows.size()];
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] = k * size;
            }
            return new Pending(input, rows, reconstructions, offsets, shape);
        }

        void drawAll(Consumer<Drawn> sink) {
            for (int k = 0; k < rows.size(); k++) {
                sink.accept(draw(k));
            }
        }

        /** Row {@code k}'s pictures. */
        Drawn draw(int k) {
            TopImage row = rows.get(k);
            Optional<BufferedImage> recon = reconstructions == null ? Optional.empty()
                    : Optional.of(enlarge(cropped(reconstructions, offsets[k], shape, row.box())));
            return new Drawn(row, enlarge(crop(input.picture(), row.box())), recon);
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
            next.accept(new Pending(input, rows, null, null, null));
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
            next.accept(Pending.consecutive(input, List.copyOf(run), recon.data(), recon.shape()));
        }
    }

    /**
     * Reconstructs one layer's rows, several images per backward run, handing each run's rows, image
     * by image, to {@code drawRun}; false, doing nothing, where that does not apply (no method, one
     * image, or a graph that cannot run a batch of images). The next run's images are decoded on a
     * thread of their own while a run's pictures are drawn.
     */
    private boolean reconstructTogether(ImageFolder folder, String tensor, Map<String, List<TopImage>> rowsByImage,
            Consumer<List<Pending>> drawRun) {
        if (method.isEmpty() || rowsByImage.size() < 2) {
            return false;
        }
        long[] one = load(folder, rowsByImage.keySet().iterator().next()).tensor().shape();
        int images = imagesPerRun(tensor, one, rowsByImage.size());
        if (images < 2 || !NeuronBatches.runsImagesTogether(vis, tensor, one, images)) {
            return false;
        }
        long[] batchShape = one.clone();
        batchShape[0] = images;
        int signals = Math.max(1, Math.min(NeuronBatches.limit(vis, tensor, batchShape), SIGNALS_PER_RUN / images));
        List<ImageRuns.Run> runs = ImageRuns.plan(rowsByImage, images, signals);
        ExecutorService decoder = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dnnvis-audit-recon-decoder");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<List<ImageInput>> decoded = decoder.submit(() -> decode(folder, runs.get(0)));
            for (int k = 0; k < runs.size(); k++) {
                List<ImageInput> inputs = result(decoded);
                List<Pending> drawn = new ArrayList<>();
                reconstructRun(tensor, runs.get(k), inputs, batchShape, drawn::add);
                if (k + 1 < runs.size()) { // decoded while this run's pictures are drawn
                    ImageRuns.Run following = runs.get(k + 1);
                    decoded = decoder.submit(() -> decode(folder, following));
                }
                drawRun.accept(drawn);
            }
        } finally {
            decoder.shutdownNow();
        }
        return true;
    }

    /**
     * How many images one run takes at {@code tensor}: {@link #IMAGES_PER_RUN}, fewer where there are
     * fewer images with rows, or where one start signal on that many images would not fit in what the
     * engine gives one run (an image and a signal take about what one more signal on one image takes).
     */
    int imagesPerRun(String tensor, long[] oneImage, int imagesWithRows) {
        int fit = Math.max(1, NeuronBatches.limit(vis, tensor, oneImage));
        return Math.min(Math.min(IMAGES_PER_RUN, imagesWithRows), fit);
    }

    /** The images of a run's slots, in order (an image in two slots decoded once). */
    private List<ImageInput> decode(ImageFolder folder, ImageRuns.Run run) {
        Map<String, ImageInput> decoded = new HashMap<>();
        List<ImageInput> inputs = new ArrayList<>();
        for (ImageRuns.Slot slot : run.slots()) {
            inputs.add(decoded.computeIfAbsent(slot.image(), name -> load(folder, name)));
        }
        return inputs;
    }

    /**
     * One backward run: {@code run}'s slots as a batch of {@code batchShape[0]} images (the last
     * run's empty slots repeat its first image, with no signal), each slot's rows handed to {@code next}.
     */
    private void reconstructRun(String tensor, ImageRuns.Run run, List<ImageInput> inputs, long[] batchShape,
            Consumer<Pending> next) {
        int images = (int) batchShape[0];
        int b = run.signals();
        int[] units = new int[b * images];
        int[] ys = new int[b * images];
        int[] xs = new int[b * images];
        Arrays.fill(units, -1);
        float[] data = new float[Math.toIntExact(Arrays.stream(batchShape).reduce(1, Math::multiplyExact))];
        int per = data.length / images;
        for (int n = 0; n < images; n++) {
            ImageInput input = inputs.get(n < inputs.size() ? n : 0);
            System.arraycopy(input.tensor().data(), 0, data, n * per, per);
            List<TopImage> rows = n < inputs.size() ? run.slots().get(n).rows() : List.of();
            for (int k = 0; k < rows.size(); k++) {
                units[k * images + n] = rows.get(k).unit();
                ys[k * images + n] = rows.get(k).y();
                xs[k * images + n] = rows.get(k).x();
            }
        }
        TensorValue recon = NeuronBatches.runOnImages(vis, method.orElseThrow(), tensor,
                TensorValue.owning(inputs.get(0).tensor().name(), batchShape, data), b, units, ys, xs);
        int size = (int) (recon.elementCount() / recon.shape()[0]);
        float[] all = recon.data();
        for (int n = 0; n < inputs.size(); n++) {
            List<TopImage> rows = run.slots().get(n).rows();
            int[] offsets = new int[rows.size()];
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] = (k * images + n) * size;
            }
            next.accept(new Pending(inputs.get(n), rows, all, offsets, recon.shape()));
        }
    }

    /** The decoded images, or the decoding's own exception. */
    private static List<ImageInput> result(Future<List<ImageInput>> decoded) {
        try {
            return decoded.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        }
    }

    private ImageInput load(ImageFolder folder, String image) {
        return ImageInput.load(folder.resolve(image), vis.model(), options, layout);
    }

    private static Map<String, List<TopImage>> byImage(List<TopImage> rows) {
        Map<String, List<TopImage>> byImage = new TreeMap<>();
        for (TopImage row : rows) {
            byImage.computeIfAbsent(row.image(), k -> new ArrayList<>()).add(row);
        }
        return byImage;
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
        int[] all = Images.pixels(picture);
        int[] out = new int[box.width() * box.height()];
        for (int y = 0; y < box.height(); y++) {
            System.arraycopy(all, (box.y0() + y) * picture.getWidth() + box.x0(), out, y * box.width(), box.width());
        }
        return Images.fromRgb(out, box.width(), box.height());
    }

    /** {@code picture} scaled up by the smallest whole factor that brings its longer side to {@link #MIN_SIDE}. */
    static BufferedImage enlarge(BufferedImage picture) {
        int width = picture.getWidth();
        int height = picture.getHeight();
        int factor = Math.max(1, (MIN_SIDE + Math.max(width, height) - 1) / Math.max(width, height));
        if (factor == 1) {
            return picture;
        }
        int[] pixels = Images.pixels(picture);
        int outWidth = width * factor;
        int[] scaled = new int[outWidth * height * factor];
        for (int y = 0; y < height * factor; y++) {
            int from = (y / factor) * width;
            int to = y * outWidth;
            for (int x = 0; x < outWidth; x++) {
                scaled[to + x] = pixels[from + x / factor];
            }
        }
        return Images.fromRgb(scaled, outWidth, height * factor);
    }
}
