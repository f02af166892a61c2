package io.dnnvis.methods.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Draws a backward run's pictures between the model's runs, on the calling thread and helper
 * threads together, so that ONNX Runtime's threads have the cores to themselves while a run goes on.
 * Drawing beside the runs (a picture thread of its own, the first form) took a core from one of the
 * model's threads now and then, and the other waited at the next barrier (200 AlexNet images: 14.5 s
 * of backward runs, against 11.7 s with the pictures between them). The sink is called from several
 * threads at once, in no set order; a failure of the drawing or of the sink stops the other threads
 * from taking further rows and is thrown by {@link #drawAll}.
 */
final class PictureStage implements AutoCloseable {

    private final Consumer<AuditPictures.Drawn> sink;
    private final ExecutorService helpers;
    private final int threads;

    private PictureStage(int threads, Consumer<AuditPictures.Drawn> sink) {
        this.sink = sink;
        this.threads = threads;
        this.helpers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "dnnvis-audit-pictures");
            t.setDaemon(true);
            return t;
        });
    }

    /** A stage drawing on {@code threads} threads, the caller's included, handing each row to {@code sink}. */
    static PictureStage start(int threads, Consumer<AuditPictures.Drawn> sink) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return new PictureStage(threads, sink);
    }

    /** Draws every row of {@code pending} and hands it to the sink; returns when all are handed over. */
    void drawAll(List<AuditPictures.Pending> pending) {
        List<int[]> rows = new ArrayList<>();
        for (int p = 0; p < pending.size(); p++) {
            for (int k = 0; k < pending.get(p).rows().size(); k++) {
                rows.add(new int[] {p, k});
            }
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable drawing = () -> {
            for (int i = next.getAndIncrement(); i < rows.size() && failure.get() == null; i = next.getAndIncrement()) {
                int[] at = rows.get(i);
                try {
                    sink.accept(pending.get(at[0]).draw(at[1]));
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        List<Future<?>> others = new ArrayList<>();
        int helping = Math.min(threads - 1, rows.size() - 1);
        for (int t = 0; t < helping; t++) {
            others.add(helpers.submit(drawing));
        }
        drawing.run();
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failure.compareAndSet(null, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while drawing pictures", e);
            }
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdownNow();
        }
    }
}
