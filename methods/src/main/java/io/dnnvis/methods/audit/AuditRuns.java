package io.dnnvis.methods.audit;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.NeuronBatches;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The backward runs behind an audit's reconstructions, with one method: a layer's rows of several
 * images in one run ({@link NeuronBatches#runOnImages}, packed by {@link ImageRuns}) where the graph
 * runs a batch of images, else an image's rows of a layer in one run that shares its forward pass
 * ({@link NeuronBatches#runOnOneImage}). Each run's rows go on as {@link AuditPictures.Pending}s,
 * image by image, for the pictures to be drawn.
 */
final class AuditRuns {

    /** Images in one backward run where a layer's rows of several images share it. */
    static final int IMAGES_PER_RUN = 8;

    /**
     * Start signals of one such run at most, over all its images: {@code --neuron all}'s runs of 64
     * (measured on AlexNet conv5: runs of 16 to 64 take the same time per signal).
     */
    static final int SIGNALS_PER_RUN = 64;

    private final Visualizer vis;
    private final BackwardMethod method;
    private final ImageInput.Options options;

    AuditRuns(Visualizer vis, BackwardMethod method, ImageInput.Options options) {
        this.vis = vis;
        this.method = method;
        this.options = options;
    }

    /** One image's rows, layer by layer, in runs of what fits in memory, each handed to {@code next}. */
    void oneImage(ImageInput input, List<TopImage> rows, Consumer<AuditPictures.Pending> next) {
        Map<String, List<TopImage>> byLayer = new LinkedHashMap<>();
        for (TopImage row : rows) {
            byLayer.computeIfAbsent(row.layer(), k -> new ArrayList<>()).add(row);
        }
        for (var layerRows : byLayer.entrySet()) {
            reconstruct(input, layerRows.getKey(), layerRows.getValue(), next);
        }
    }

    private void reconstruct(ImageInput input, String tensor, List<TopImage> rows,
            Consumer<AuditPictures.Pending> next) {
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
            TensorValue recon = NeuronBatches.runOnOneImage(vis, method, tensor, input.tensor(), units, ys, xs);
            next.accept(AuditPictures.Pending.consecutive(input, List.copyOf(run), recon.data(), recon.shape()));
        }
    }

    /**
     * Reconstructs one layer's rows, several images per backward run, handing each run's rows, image
     * by image, to {@code drawRun}: on the cones of their positions where the path to the layer has a
     * windowed form and the layer has {@link ConeRuns#MIN_ROWS} rows or more ({@link ConeRuns}: half
     * the arithmetic on AlexNet's conv5; runs side by side, each drawing its own pictures into
     * {@code sink}), else on the whole maps; false, doing nothing, where neither applies (one image,
     * room for one image per run only, or a graph that cannot run a batch of images). The next run's
     * images are decoded on a thread of their own while a run's pictures are drawn.
     */
    boolean severalImages(ImageFolder folder, String tensor, Map<String, List<TopImage>> rowsByImage,
            Consumer<List<AuditPictures.Pending>> drawRun, Consumer<AuditPictures.Drawn> sink,
            AuditPictures.Missed missed) {
        Optional<long[]> first = rowsByImage.values().stream()
                .map(rows -> AuditPictures.loadOrMiss(vis, options, folder, rows, (r, why) -> { }))
                .flatMap(Optional::stream).map(in -> in.tensor().shape()).findFirst();
        if (first.isEmpty()) {
            return false; // none can be read: image by image, each told as missed
        }
        long[] one = first.get();
        Optional<ConeRuns> cones = ConeRuns.open(vis, method, options, tensor, one,
                rowsByImage.values().stream().mapToInt(List::size).sum());
        if (cones.isPresent()) {
            try (ConeRuns c = cones.get()) {
                if (c.draw(folder, rowsByImage, sink, missed)) {
                    return true;
                }
            }
        }
        if (rowsByImage.size() < 2) {
            return false;
        }
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
            Future<List<ImageInput>> decoded = decoder.submit(() -> decode(folder, runs.get(0), missed));
            for (int k = 0; k < runs.size(); k++) {
                List<ImageInput> inputs = result(decoded);
                List<AuditPictures.Pending> drawn = new ArrayList<>();
                reconstructRun(tensor, runs.get(k), inputs, batchShape, drawn::add);
                if (k + 1 < runs.size()) { // decoded while this run's pictures are drawn
                    ImageRuns.Run following = runs.get(k + 1);
                    decoded = decoder.submit(() -> decode(folder, following, missed));
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

    /**
     * The images of a run's slots, in order (an image in two slots decoded once); null for one that
     * cannot be read any more, its rows told to {@code missed}.
     */
    private List<ImageInput> decode(ImageFolder folder, ImageRuns.Run run, AuditPictures.Missed missed) {
        Map<String, Optional<ImageInput>> decoded = new HashMap<>();
        Map<String, String> unreadable = new HashMap<>();
        List<ImageInput> inputs = new ArrayList<>();
        for (ImageRuns.Slot slot : run.slots()) {
            Optional<ImageInput> input = decoded.computeIfAbsent(slot.image(), name -> AuditPictures.loadOrMiss(
                    vis, options, folder, slot.rows(), (rows, why) -> unreadable.put(name, why)));
            if (input.isEmpty()) {
                missed.rows(slot.rows(), unreadable.get(slot.image()));
            }
            inputs.add(input.orElse(null));
        }
        return inputs;
    }

    /**
     * One backward run: {@code run}'s slots as a batch of {@code batchShape[0]} images (the last
     * run's empty slots repeat its first image, with no signal), each slot's rows handed to {@code next}.
     */
    private void reconstructRun(String tensor, ImageRuns.Run run, List<ImageInput> inputs, long[] batchShape,
            Consumer<AuditPictures.Pending> next) {
        ImageInput filler = inputs.stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
        if (filler == null) {
            return; // no image of this run can be read any more
        }
        int images = (int) batchShape[0];
        int b = run.signals();
        int[] units = new int[b * images];
        int[] ys = new int[b * images];
        int[] xs = new int[b * images];
        Arrays.fill(units, -1);
        float[] data = new float[Math.toIntExact(Arrays.stream(batchShape).reduce(1, Math::multiplyExact))];
        int per = data.length / images;
        for (int n = 0; n < images; n++) {
            boolean readable = n < inputs.size() && inputs.get(n) != null;
            ImageInput input = readable ? inputs.get(n) : filler;
            System.arraycopy(input.tensor().data(), 0, data, n * per, per);
            List<TopImage> rows = readable ? run.slots().get(n).rows() : List.of();
            for (int k = 0; k < rows.size(); k++) {
                units[k * images + n] = rows.get(k).unit();
                ys[k * images + n] = rows.get(k).y();
                xs[k * images + n] = rows.get(k).x();
            }
        }
        TensorValue recon = NeuronBatches.runOnImages(vis, method, tensor,
                TensorValue.owning(filler.tensor().name(), batchShape, data), b, units, ys, xs);
        int size = (int) (recon.elementCount() / recon.shape()[0]);
        float[] all = recon.data();
        for (int n = 0; n < inputs.size(); n++) {
            if (inputs.get(n) == null) {
                continue;
            }
            List<TopImage> rows = run.slots().get(n).rows();
            int[] offsets = new int[rows.size()];
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] = (k * images + n) * size;
            }
            next.accept(new AuditPictures.Pending(inputs.get(n), rows, all, offsets, recon.shape()));
        }
    }

    /** The decoded images, or the decoding's own exception. */
    static <T> T result(Future<T> decoded) {
        try {
            return decoded.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the reconstructions were made", e);
        }
    }

}
