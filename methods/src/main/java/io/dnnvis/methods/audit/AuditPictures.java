package io.dnnvis.methods.audit;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Images;
import io.dnnvis.onnx.UserErrorException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The pictures of an audit's top table: for each row the receptive-field crop of the image as the
 * model saw it, and the reconstruction of the unit started at its maximum only (the method's
 * backward net from that one position), over the same box. Both are scaled up (nearest neighbour)
 * so that the longer side is at least {@link #MIN_SIDE} pixels. The reconstructions come from
 * {@link AuditRuns} (a layer's rows of several images per backward run where the graph allows); the
 * pictures are drawn between the runs on all cores ({@link PictureStage}).
 */
public final class AuditPictures {

    /** The shortest longer side of a picture, in pixels. */
    public static final int MIN_SIDE = 96;

    /** Threads that draw a run's pictures, the caller's included. */
    static final int PICTURE_THREADS = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));

    /** Told how many of the table's rows have been handed over, of how many. */
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void rowsDone(int done, int total);
    }

    /**
     * Told of rows whose image cannot be read any more (removed, or rewritten into something that does
     * not decode, since the audit read it): they get no pictures, and the drawing goes on. Called from
     * several threads.
     */
    @FunctionalInterface
    public interface Missed {
        void rows(List<TopImage> rows, String reason);
    }

    /** One row's pictures. */
    public record Drawn(TopImage row, BufferedImage patch, Optional<BufferedImage> reconstruction) {
    }

    private final Visualizer vis;
    private final ImageInput.Options options;
    private final Optional<BackwardMethod> method;
    private final Optional<AuditRuns> runs;
    private final Progress progress;

    private AuditPictures(Visualizer vis, ImageInput.Options options, Optional<BackwardMethod> method,
            Progress progress) {
        this.vis = vis;
        this.options = options;
        this.method = method;
        this.runs = method.map(m -> new AuditRuns(vis, m, options));
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
     * layer's rows of several images are reconstructed in one backward run where the model's graph
     * runs a batch of images ({@link AuditRuns#severalImages}); otherwise image by image (each decoded
     * once), an image's rows of a layer in one run that shares its forward pass. After each run its
     * pictures are drawn on all cores ({@link PictureStage}: {@code sink} is called from several
     * threads at once, in no set order) while the next run's images are decoded; this returns when
     * every row has been handed over.
     */
    public void draw(ImageFolder folder, AuditResult result, Consumer<Drawn> sink) {
        draw(folder, result, sink, (rows, reason) -> {
            throw new BadRequestException(folder.resolve(rows.get(0).image()) + ": " + reason);
        });
    }

    /**
     * As {@link #draw(ImageFolder, AuditResult, Consumer)}, but the rows of an image that cannot be
     * read any more go to {@code missed} instead of stopping the drawing.
     */
    public void draw(ImageFolder folder, AuditResult result, Consumer<Drawn> sink, Missed missed) {
        int total = result.top().size();
        AtomicInteger done = new AtomicInteger();
        Object told = new Object();
        Consumer<Drawn> counted = drawn -> {
            sink.accept(drawn);
            synchronized (told) {
                progress.rowsDone(done.incrementAndGet(), total);
            }
        };
        Missed counting = (rows, reason) -> {
            missed.rows(rows, reason);
            synchronized (told) {
                progress.rowsDone(done.addAndGet(rows.size()), total);
            }
        };
        Map<String, List<TopImage>> byLayer = new LinkedHashMap<>();
        for (TopImage row : result.top()) {
            byLayer.computeIfAbsent(row.layer(), k -> new ArrayList<>()).add(row);
        }
        try (PictureStage pictures = PictureStage.start(PICTURE_THREADS, counted)) {
            List<TopImage> oneByOne = new ArrayList<>();
            for (var layer : byLayer.entrySet()) {
                if (runs.isEmpty() || !runs.get().severalImages(folder, layer.getKey(), byImage(layer.getValue()),
                        pictures::drawAll, counted, counting)) {
                    oneByOne.addAll(layer.getValue());
                }
            }
            for (var entry : byImage(oneByOne).entrySet()) {
                Optional<ImageInput> input = loadOrMiss(vis, options, folder, entry.getValue(), counting);
                if (input.isPresent()) {
                    List<Pending> ofImage = new ArrayList<>();
                    reconstruct(input.get(), entry.getValue(), ofImage::add);
                    pictures.drawAll(ofImage);
                }
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

    /** An image's rows, with their reconstructions where there is a method, handed to {@code next}. */
    private void reconstruct(ImageInput input, List<TopImage> rows, Consumer<Pending> next) {
        if (runs.isPresent()) {
            runs.get().oneImage(input, rows, next);
        } else {
            next.accept(new Pending(input, rows, null, null, null));
        }
    }

    /** {@code image} of {@code folder} decoded as {@code vis}'s model takes it. */
    static ImageInput load(Visualizer vis, ImageInput.Options options, ImageFolder folder, String image) {
        return ImageInput.load(folder.resolve(image), vis.model(), options, vis.layout());
    }

    /** The image of {@code rows} (all of one image), or empty, having told {@code missed}, where it cannot be read. */
    static Optional<ImageInput> loadOrMiss(Visualizer vis, ImageInput.Options options, ImageFolder folder,
            List<TopImage> rows, Missed missed) {
        String image = rows.get(0).image();
        try {
            return Optional.of(load(vis, options, folder, image));
        } catch (UserErrorException e) {
            missed.rows(rows, "cannot be read any more: " + AuditImage.reason(e.getMessage(), folder.resolve(image).toString()));
            return Optional.empty();
        }
    }

    /** The options images are decoded with. */
    public ImageInput.Options options() {
        return options;
    }

    /**
     * Rows of one image whose pictures are still to be drawn: their reconstructions (NCHW, each of
     * {@code shape}'s last three axes, row k's at {@code offsets[k]} of {@code reconstructions}; null
     * with no method) from one backward run, over the whole image, or, where {@code origins} is not
     * null, over a window of the image whose top left corner is ({@code origins[2k]},
     * {@code origins[2k + 1]}) for row k ({@link ConeModel}).
     */
    record Pending(ImageInput input, List<TopImage> rows, float[] reconstructions, int[] offsets, long[] shape,
            int[] origins) {

        /** Rows whose reconstructions are over the whole image. */
        Pending(ImageInput input, List<TopImage> rows, float[] reconstructions, int[] offsets, long[] shape) {
            this(input, rows, reconstructions, offsets, shape, null);
        }

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
            ReceptiveField.Box box = row.box();
            if (origins != null) { // the box in the window's coordinates
                box = new ReceptiveField.Box(box.y0() - origins[2 * k], box.x0() - origins[2 * k + 1],
                        box.y1() - origins[2 * k], box.x1() - origins[2 * k + 1]);
            }
            Optional<BufferedImage> recon = reconstructions == null ? Optional.empty()
                    : Optional.of(enlarge(cropped(reconstructions, offsets[k], shape, box)));
            return new Drawn(row, enlarge(crop(input.picture(), row.box())), recon);
        }
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
