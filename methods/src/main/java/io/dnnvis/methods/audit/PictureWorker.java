package io.dnnvis.methods.audit;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Draws the audit's pictures on a thread of its own, in the order they were submitted, so that the
 * drawing and whatever the sink does with them (PNG encoding, writing) overlap the next backward run.
 * At most {@link #WAITING} submissions wait: the images of two backward runs (the submissions of one
 * run share its reconstructions), so that a run hands all its images over while the thread is still
 * drawing the run before. A failure of the drawing or of the sink stops the thread and is thrown
 * again by the next {@link #submit} or by {@link #finish}.
 */
final class PictureWorker implements AutoCloseable {

    private static final AuditPictures.Pending END = new AuditPictures.Pending(null, java.util.List.of(), null, null, null);

    /** Submissions that may wait at most. */
    static final int WAITING = 2 * AuditPictures.IMAGES_PER_RUN;

    private final BlockingQueue<AuditPictures.Pending> queue = new ArrayBlockingQueue<>(WAITING);
    private final Thread thread;
    private volatile RuntimeException failure;
    private volatile boolean done;

    private PictureWorker(Consumer<AuditPictures.Drawn> sink) {
        this.thread = new Thread(() -> drain(sink), "dnnvis-audit-pictures");
        this.thread.setDaemon(true);
    }

    static PictureWorker start(Consumer<AuditPictures.Drawn> sink) {
        PictureWorker worker = new PictureWorker(sink);
        worker.thread.start();
        return worker;
    }

    private void drain(Consumer<AuditPictures.Drawn> sink) {
        try {
            while (true) {
                AuditPictures.Pending next = queue.take();
                if (next == END) {
                    return;
                }
                next.drawAll(sink);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            queue.clear();
        } finally {
            done = true;
        }
    }

    /** Hands one image's rows of a run over, waiting while {@link #WAITING} are queued. */
    void submit(AuditPictures.Pending pending) {
        try {
            while (!queue.offer(pending, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                rethrow();
                if (done) {
                    throw new IllegalStateException("the picture thread stopped");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing pictures over", e);
        }
        rethrow();
    }

    /** Waits until every submitted row has been drawn and handed to the sink. */
    void finish() {
        submit(END);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the pictures", e);
        }
        rethrow();
    }

    private void rethrow() {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** Stops the thread if {@link #finish} was not reached (an error on the submitting side). */
    @Override
    public void close() {
        if (thread.isAlive()) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
