package io.dnnvis.methods.audit;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.NeuronBatches;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The reconstructions of one layer's rows, each on the cone of its position ({@link ConeModel}):
 * runs of up to {@link AuditRuns#SIGNALS_PER_RUN} rows, each row its own window of its image and
 * its own start signal, so that rows of any images share a run. Each image is decoded once for
 * the rows of a run. Runs go side by side, one per core, each on one ONNX Runtime thread, its
 * images decoded and its pictures drawn by the thread that runs it.
 */
final class ConeRuns implements AutoCloseable {

    /** A system property: {@code true} turns the cones off (the whole maps, as before them). */
    static final String WHOLE_MAPS = "dnnvis.audit.wholeMaps";

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
     * The cone runs of {@code tensor} for images of {@code oneImage}'s shape; empty where the model's
     * path to it has no windowed form ({@link ConeModel#of}), the input is not NCHW, or the method's
     * backward net of the windowed model cannot be written.
     */
    static Optional<ConeRuns> open(Visualizer vis, BackwardMethod method, ImageInput.Options options, String tensor,
            long[] oneImage) {
        if (vis.layout() != InputLayout.NCHW || Boolean.getBoolean(WHOLE_MAPS)) {
            return Optional.empty();
        }
        Optional<ConeModel> cone = ConeModel.of(vis.model(), vis.shapes(oneImage), vis.model().graph().tensor(tensor));
        if (cone.isEmpty()) {
            return Optional.empty();
        }
        int threads = vis.options().threads() > 0 ? vis.options().threads() : Runtime.getRuntime().availableProcessors();
        // runs side by side, one thread each: small convolutions keep one core busy better than two
        // threads that meet at a barrier after each op (AlexNet conv5: 4.2 against 4.9 ms a row, 2 cores)
        Visualizer coneVis = Visualizer.open(cone.get().model(), vis.options().withThreads(1), InputLayout.NCHW);
        try {
            long[] one = {1, cone.get().channels() + 2, cone.get().inputWindow().rows().size(),
                cone.get().inputWindow().cols().size()};
            NeuronBatches.check(coneVis, method, cone.get().target(), one);
            int workers = Math.max(1, Math.min(8, threads));
            // the runs side by side share what one run may take (BackwardEngine.BATCH_BYTES)
            long shared = io.dnnvis.trace.backward.BackwardEngine.BATCH_BYTES / workers
                    / Math.max(1, NeuronBatches.bytesPerSignal(coneVis, cone.get().target(), one));
            int perRun = (int) Math.max(1, Math.min(Math.min(AuditRuns.SIGNALS_PER_RUN, shared),
                    NeuronBatches.limit(coneVis, cone.get().target(), one)));
            ConeRuns runs = new ConeRuns(vis, method, options, cone.get(), coneVis, perRun, workers);
            runs.trial(oneImage);
            return Optional.of(runs);
        } catch (RuntimeException e) {
            coneVis.close();
            return Optional.empty(); // the whole maps, as before
        }
    }

    /**
     * One run of the shape every run has, on a blank image: opens the session the runs share, and
     * fails here, where the caller can still go on with the whole maps, if ONNX Runtime refuses the
     * windowed graph.
     */
    private void trial(long[] oneImage) {
        int[] units = new int[perRun];
        java.util.Arrays.fill(units, -1);
        units[0] = 0;
        TensorValue blank = TensorValue.owning("blank", oneImage,
                new float[Math.toIntExact(java.util.Arrays.stream(oneImage).reduce(1, Math::multiplyExact))]);
        NeuronBatches.runOnImages(coneVis, method, cone.target(),
                cone.inputs(java.util.Collections.nCopies(perRun, blank), new int[perRun], new int[perRun]), 1,
                units, new int[perRun], new int[perRun]);
    }

    /** One run's rows, each with the image it reads. */
    private record Run(List<TopImage> rows) {
    }

    /**
     * Reconstructs the rows of {@code rowsByImage} (all of this layer) and draws their pictures into
     * {@code sink} (from several threads at once); rows of an image that cannot be read any more go
     * to {@code missed}.
     */
    void draw(ImageFolder folder, Map<String, List<TopImage>> rowsByImage, Consumer<AuditPictures.Drawn> sink,
            AuditPictures.Missed missed) {
        List<Run> runs = new ArrayList<>();
        List<TopImage> current = new ArrayList<>();
        for (List<TopImage> rows : rowsByImage.values()) {
            for (TopImage row : rows) {
                current.add(row);
                if (current.size() == perRun) {
                    runs.add(new Run(List.copyOf(current)));
                    current.clear();
                }
            }
        }
        if (!current.isEmpty()) {
            runs.add(new Run(List.copyOf(current)));
        }
        if (runs.isEmpty()) {
            return;
        }
        int workers = Math.min(runs.size(), this.workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "dnnvis-audit-cone-run");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            for (int k = next.getAndIncrement(); k < runs.size() && failure.get() == null; k = next.getAndIncrement()) {
                try {
                    for (AuditPictures.Pending p : reconstruct(runs.get(k), decode(folder, runs.get(k), missed))) {
                        p.drawAll(sink);
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                running.add(pool.submit(work));
            }
            for (Future<?> f : running) {
                AuditRuns.result(f);
            }
        } finally {
            pool.shutdownNow();
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
    }

    /** The images of a run's rows, each decoded once; empty for one that cannot be read (its rows told to {@code missed}). */
    private Map<String, Optional<ImageInput>> decode(ImageFolder folder, Run run, AuditPictures.Missed missed) {
        Map<String, List<TopImage>> byImage = new LinkedHashMap<>();
        for (TopImage row : run.rows()) {
            byImage.computeIfAbsent(row.image(), i -> new ArrayList<>()).add(row);
        }
        Map<String, Optional<ImageInput>> inputs = new HashMap<>();
        for (var e : byImage.entrySet()) {
            inputs.put(e.getKey(), AuditPictures.loadOrMiss(vis, options, folder, e.getValue(), missed));
        }
        return inputs;
    }

    /** One backward run of the windowed model for {@code run}'s rows of readable images, their pictures pending. */
    private List<AuditPictures.Pending> reconstruct(Run run, Map<String, Optional<ImageInput>> inputs) {
        List<TopImage> rows = run.rows().stream().filter(r -> inputs.get(r.image()).isPresent()).toList();
        if (rows.isEmpty()) {
            return List.of();
        }
        int n = perRun; // a full run's shape always: one compiled graph
        List<TensorValue> images = new ArrayList<>();
        int[] ys = new int[n];
        int[] xs = new int[n];
        int[] units = new int[n];
        java.util.Arrays.fill(units, -1);
        for (int k = 0; k < n; k++) {
            TopImage row = rows.get(Math.min(k, rows.size() - 1)); // the last run's empty places repeat a row
            images.add(inputs.get(row.image()).get().tensor());
            ys[k] = row.y();
            xs[k] = row.x();
            if (k < rows.size()) {
                units[k] = row.unit();
            }
        }
        TensorValue recon = NeuronBatches.runOnImages(coneVis, method, cone.target(), cone.inputs(images, ys, xs), 1,
                units, new int[n], new int[n]);
        int channels = cone.channels();
        int h = Math.toIntExact(recon.shape()[2]);
        int w = Math.toIntExact(recon.shape()[3]);
        int plane = h * w;
        int size = channels * plane;
        int stride = (channels + 2) * plane;
        float[] all = recon.data();
        float[] pictures = new float[size * rows.size()];
        for (int k = 0; k < rows.size(); k++) {
            System.arraycopy(all, k * stride, pictures, k * size, size); // the image's channels, not the masks'
        }
        long[] shape = {rows.size(), channels, h, w};
        Map<String, List<Integer>> byImage = new LinkedHashMap<>();
        for (int k = 0; k < rows.size(); k++) {
            byImage.computeIfAbsent(rows.get(k).image(), i -> new ArrayList<>()).add(k);
        }
        List<AuditPictures.Pending> pending = new ArrayList<>();
        for (var e : byImage.entrySet()) {
            List<Integer> ks = e.getValue();
            int[] offsets = new int[ks.size()];
            int[] origins = new int[2 * ks.size()];
            List<TopImage> ofImage = new ArrayList<>();
            for (int i = 0; i < ks.size(); i++) {
                TopImage row = rows.get(ks.get(i));
                offsets[i] = ks.get(i) * size;
                origins[2 * i] = cone.top(row.y());
                origins[2 * i + 1] = cone.left(row.x());
                ofImage.add(row);
            }
            pending.add(new AuditPictures.Pending(inputs.get(e.getKey()).get(), ofImage, pictures, offsets, shape,
                    origins));
        }
        return pending;
    }

    @Override
    public void close() {
        coneVis.close();
    }
}
