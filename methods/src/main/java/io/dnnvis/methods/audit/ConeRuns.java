package io.dnnvis.methods.audit;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.NeuronBatches;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The reconstructions of one layer's rows, each on the cone of its position ({@link ConeModel}):
 * runs of up to {@link AuditRuns#SIGNALS_PER_RUN} rows, each row its own window of its image and
 * its own start signal, so that rows of any images share a run. Runs go side by side, one per core,
 * each on one ONNX Runtime thread, its images decoded and its pictures drawn by the thread that
 * runs it (small convolutions keep one core busy better than two threads that meet at a barrier
 * after each op: AlexNet's conv5, 4.2 against 4.9 ms a row on 2 cores).
 */
final class ConeRuns implements AutoCloseable {

    /** A system property: {@code true} turns the cones off (the whole maps, as before them). */
    static final String WHOLE_MAPS = "dnnvis.audit.wholeMaps";

    /**
     * Layers with fewer rows keep the whole maps: the windowed model's own session costs more than
     * its runs save (GlyphNet, 3 rows: 0.1-0.5 s against 20-70 ms).
     */
    static final int MIN_ROWS = 32;

    private final Visualizer vis;
    private final BackwardMethod method;
    private final ImageInput.Options options;
    private final ConeModel cone;
    private final Visualizer coneVis;
    private final int perRun;
    private final int workers;

    private ConeRuns(Visualizer vis, BackwardMethod method, ImageInput.Options options, ConeModel cone,
            Visualizer coneVis, int perRun, int workers) {
        this.vis = vis;
        this.method = method;
        this.options = options;
        this.cone = cone;
        this.coneVis = coneVis;
        this.perRun = perRun;
        this.workers = workers;
    }

    /**
     * The cone runs of {@code rows} rows of {@code tensor} for images of {@code oneImage}'s shape;
     * empty where there are fewer than {@link #MIN_ROWS}, the model's path to the layer has no
     * windowed form ({@link ConeModel#of}), the input is not NCHW, the windowed model cannot be built
     * or its backward net written, or {@link #WHOLE_MAPS} is set.
     */
    static Optional<ConeRuns> open(Visualizer vis, BackwardMethod method, ImageInput.Options options, String tensor,
            long[] oneImage, int rows) {
        if (rows < MIN_ROWS || vis.layout() != InputLayout.NCHW || Boolean.getBoolean(WHOLE_MAPS)) {
            return Optional.empty();
        }
        Visualizer coneVis = null;
        try {
            Optional<ConeModel> found = ConeModel.of(vis.model(), vis.shapes(oneImage),
                    vis.model().graph().tensor(tensor));
            if (found.isEmpty()) {
                return Optional.empty();
            }
            ConeModel cone = found.get();
            coneVis = Visualizer.open(cone.model(), vis.options().withThreads(1), InputLayout.NCHW);
            long[] one = {1, cone.channels() + 2, cone.inputWindow().rows().size(), cone.inputWindow().cols().size()};
            NeuronBatches.check(coneVis, method, cone.target(), one);
            int threads = vis.options().threads() > 0 ? vis.options().threads()
                    : Runtime.getRuntime().availableProcessors();
            int workers = Math.max(1, Math.min(8, threads));
            // the runs side by side share what one run may take in native memory
            long shared = BackwardEngine.BATCH_BYTES / workers
                    / Math.max(1, NeuronBatches.bytesPerSignal(coneVis, cone.target(), one));
            int perRun = (int) Math.max(1, Math.min(Math.min(AuditRuns.SIGNALS_PER_RUN, shared),
                    NeuronBatches.limit(coneVis, cone.target(), one)));
            // and a quarter of the Java heap: per row its decoded image (tensor and picture) and its
            // window three times (the input, the output, the pictures' copy)
            long image = 4L * Arrays.stream(oneImage).reduce(1, Math::multiplyExact);
            long window = 4L * Arrays.stream(one).reduce(1, Math::multiplyExact);
            long perWorker = (long) perRun * (2 * image + 3 * window);
            workers = (int) Math.max(1, Math.min(workers, Runtime.getRuntime().maxMemory() / 4 / perWorker));
            return Optional.of(new ConeRuns(vis, method, options, cone, coneVis, perRun, workers));
        } catch (RuntimeException e) {
            if (coneVis != null) {
                coneVis.close();
            }
            return Optional.empty(); // the whole maps, as before
        }
    }

    /** One run's rows. */
    private record Run(List<TopImage> rows) {
    }

    /** A run's images (empty for one that cannot be read any more) and the rows it could not read, with why. */
    private record Decoded(Map<String, Optional<ImageInput>> inputs, List<Map.Entry<List<TopImage>, String>> missed) {
    }

    /**
     * Reconstructs the rows of {@code rowsByImage} (all of this layer) and draws their pictures into
     * {@code sink} (from several threads at once); rows of an image that cannot be read any more go
     * to {@code missed}. False, having drawn and told nothing, where ONNX Runtime refuses the windowed
     * graph at the first run: the caller then draws on the whole maps.
     */
    boolean draw(ImageFolder folder, Map<String, List<TopImage>> rowsByImage, Consumer<AuditPictures.Drawn> sink,
            AuditPictures.Missed missed) {
        int total = rowsByImage.values().stream().mapToInt(List::size).sum();
        int size = Math.min(perRun, total);
        List<Run> runs = new ArrayList<>();
        List<TopImage> current = new ArrayList<>();
        for (List<TopImage> rows : rowsByImage.values()) {
            for (TopImage row : rows) {
                current.add(row);
                if (current.size() == size) {
                    runs.add(new Run(List.copyOf(current)));
                    current.clear();
                }
            }
        }
        if (!current.isEmpty()) {
            runs.add(new Run(List.copyOf(current)));
        }
        // the first run alone: where ONNX Runtime refuses the graph, nothing has been drawn or told yet
        Decoded first = decode(folder, runs.get(0));
        List<AuditPictures.Pending> firstPictures;
        try {
            firstPictures = reconstruct(runs.get(0), first.inputs(), size);
        } catch (RuntimeException e) {
            return false;
        }
        first.missed().forEach(m -> missed.rows(m.getKey(), m.getValue()));
        firstPictures.forEach(p -> p.drawAll(sink));
        if (runs.size() == 1) {
            return true;
        }
        int threads = Math.min(runs.size() - 1, workers);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "dnnvis-audit-cone-run");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger next = new AtomicInteger(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            for (int k = next.getAndIncrement(); k < runs.size() && failure.get() == null
                    && !Thread.currentThread().isInterrupted(); k = next.getAndIncrement()) {
                try {
                    Decoded decoded = decode(folder, runs.get(k));
                    decoded.missed().forEach(m -> missed.rows(m.getKey(), m.getValue()));
                    for (AuditPictures.Pending p : reconstruct(runs.get(k), decoded.inputs(), size)) {
                        for (int row = 0; row < p.rows().size() && failure.get() == null; row++) {
                            sink.accept(p.draw(row));
                        }
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                running.add(pool.submit(work));
            }
            for (Future<?> f : running) {
                AuditRuns.result(f);
            }
        } finally {
            pool.shutdownNow();
            try { // no worker hands a picture over after this returns
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
        return true;
    }

    /** The images of a run's rows, each decoded once. */
    private Decoded decode(ImageFolder folder, Run run) {
        Map<String, List<TopImage>> byImage = new LinkedHashMap<>();
        for (TopImage row : run.rows()) {
            byImage.computeIfAbsent(row.image(), i -> new ArrayList<>()).add(row);
        }
        Map<String, Optional<ImageInput>> inputs = new HashMap<>();
        List<Map.Entry<List<TopImage>, String>> missed = new ArrayList<>();
        for (var e : byImage.entrySet()) {
            inputs.put(e.getKey(), AuditPictures.loadOrMiss(vis, options, folder, e.getValue(),
                    (rows, why) -> missed.add(Map.entry(rows, why))));
        }
        return new Decoded(inputs, missed);
    }

    /**
     * One backward run of the windowed model for {@code run}'s rows of readable images (in a batch of
     * {@code size}: a run of fewer rows repeats its last one, without a signal), their pictures pending.
     */
    private List<AuditPictures.Pending> reconstruct(Run run, Map<String, Optional<ImageInput>> inputs, int size) {
        List<TopImage> rows = run.rows().stream().filter(r -> inputs.get(r.image()).isPresent()).toList();
        if (rows.isEmpty()) {
            return List.of();
        }
        List<TensorValue> images = new ArrayList<>();
        int[] ys = new int[size];
        int[] xs = new int[size];
        int[] units = new int[size];
        Arrays.fill(units, -1);
        for (int k = 0; k < size; k++) {
            TopImage row = rows.get(Math.min(k, rows.size() - 1));
            images.add(inputs.get(row.image()).get().tensor());
            ys[k] = row.y();
            xs[k] = row.x();
            if (k < rows.size()) {
                units[k] = row.unit();
            }
        }
        TensorValue recon = NeuronBatches.runOnImages(coneVis, method, cone.target(), cone.inputs(images, ys, xs), 1,
                units, new int[size], new int[size]);
        int channels = cone.channels();
        int h = Math.toIntExact(recon.shape()[2]);
        int w = Math.toIntExact(recon.shape()[3]);
        int plane = h * w;
        int one = channels * plane;
        int stride = (channels + 2) * plane;
        float[] all = recon.data();
        float[] pictures = new float[one * rows.size()];
        for (int k = 0; k < rows.size(); k++) {
            System.arraycopy(all, k * stride, pictures, k * one, one); // the image's channels, not the masks'
        }
        long[] shape = {rows.size(), channels, h, w};
        Map<String, List<Integer>> byImage = new LinkedHashMap<>();
        for (int k = 0; k < rows.size(); k++) {
            byImage.computeIfAbsent(rows.get(k).image(), i -> new ArrayList<>()).add(k);
        }
        List<AuditPictures.Pending> pending = new ArrayList<>();
        for (var e : byImage.entrySet()) {
            ImageInput input = inputs.get(e.getKey()).get();
            List<TopImage> inWindow = new ArrayList<>();
            List<Integer> at = new ArrayList<>();
            List<TopImage> noField = new ArrayList<>();
            for (int k : e.getValue()) {
                TopImage row = rows.get(k);
                ReceptiveField.Box box = row.box();
                int top = cone.top(row.y());
                int left = cone.left(row.x());
                if (box.y0() >= top && box.x0() >= left && box.y1() < top + h && box.x1() < left + w) {
                    inWindow.add(row);
                    at.add(k);
                } else {
                    noField.add(row); // reads only padding: the receptive field is the whole image, the signal none
                }
            }
            if (!inWindow.isEmpty()) {
                int[] offsets = new int[inWindow.size()];
                int[] origins = new int[2 * inWindow.size()];
                for (int i = 0; i < inWindow.size(); i++) {
                    offsets[i] = at.get(i) * one;
                    origins[2 * i] = cone.top(inWindow.get(i).y());
                    origins[2 * i + 1] = cone.left(inWindow.get(i).x());
                }
                pending.add(new AuditPictures.Pending(input, inWindow, pictures, offsets, shape, origins));
            }
            if (!noField.isEmpty()) {
                long[] whole = input.tensor().shape().clone();
                whole[0] = 1;
                whole[1] = channels;
                float[] zeros = new float[Math.toIntExact(Arrays.stream(whole).reduce(1, Math::multiplyExact))];
                pending.add(new AuditPictures.Pending(input, noField, zeros, new int[noField.size()], whole));
            }
        }
        return pending;
    }

    @Override
    public void close() {
        coneVis.close();
    }
}
