package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Decodes an audit's images on threads of their own, ahead of the model: each source (a folder's
 * file, a file's bytes) becomes the model's input or a {@link SkippedFile} with the reason, handed
 * out in the sources' order, at most about two batches ahead (so memory stays a few batches, whatever
 * the number of images). Close it to stop the threads. The local audit reads a folder with it, a Spark
 * task its partition's files.
 *
 * <p>How decoding shares the cores with the model is its {@link Schedule}: where the model's threads
 * leave cores free, the decoders run beside the model (decoding overlaps inference); where they take
 * every core, the decoders wait while the model runs ({@link #whileModelRuns}) and decode on all cores
 * between its runs, since a decoder that takes a core from one of the model's threads stalls them all
 * at their next barrier.
 */
public final class ImageDecoder implements AutoCloseable {

    /** One source: its position ({@code first} + how many came before it), its input values or why it was skipped. */
    public record Item(int index, String file, float[] data, SkippedFile skipped) {
    }

    /**
     * How many decoding threads, and whether they pause while the model runs.
     *
     * @param threads decoding threads, at least 1
     * @param pauseWhileModelRuns whether they wait for the model between images
     */
    public record Schedule(int threads, boolean pauseWhileModelRuns) {

        public Schedule {
            if (threads < 1) {
                throw new IllegalArgumentException("at least one decoding thread, got " + threads);
            }
        }

        /** One thread beside the model. */
        public static final Schedule BESIDE = new Schedule(1, false);

        /**
         * For {@code cores} cores of which the model's runs take {@code modelThreads}: the free cores
         * beside the model, or all of them between its runs where none is free.
         */
        public static Schedule forCores(int cores, int modelThreads) {
            int free = cores - modelThreads;
            return free >= 1 ? new Schedule(free, false) : new Schedule(Math.max(1, cores), true);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Item[] ready;
    private final Schedule schedule;
    private final List<Thread> threads = new ArrayList<>();
    private final Iterator<?> sources;
    private int nextToClaim;
    private int nextToHand;
    private int end = Integer.MAX_VALUE;
    private boolean modelRunning;
    private boolean stopped;
    private Throwable failure;

    private ImageDecoder(int capacity, Schedule schedule, Iterator<?> sources, int first) {
        this.ready = new Item[capacity];
        this.schedule = schedule;
        this.sources = sources;
        this.nextToClaim = first;
        this.nextToHand = first;
    }

    /** Decodes {@code folder}'s files from the {@code from}-th on. */
    static ImageDecoder start(ImageFolder folder, int from, OnnxModel model, ImageInput.Options options,
            InputLayout layout, long[] inputShape, int batch, Schedule schedule) {
        return start(folder.files().subList(from, folder.files().size()).iterator(), from,
                file -> AuditImage.decode(folder.resolve(file), file, model, options, layout, inputShape), batch,
                schedule);
    }

    /** {@link #start(Iterator, int, Function, int, Schedule)} on one thread beside the model. */
    public static <T> ImageDecoder start(Iterator<T> sources, int first, Function<T, AuditImage> decode, int batch) {
        return start(sources, first, decode, batch, Schedule.BESIDE);
    }

    /**
     * Decodes {@code sources} in order with {@code decode} (which reports an unusable source as a
     * skipped image, never by throwing, and may run on several threads at once), numbering them from
     * {@code first}; {@code batch}: the model's batch, which sizes how far decoding runs ahead. The
     * sources are read (their iterator advanced) by one decoding thread at a time.
     */
    public static <T> ImageDecoder start(Iterator<T> sources, int first, Function<T, AuditImage> decode, int batch,
            Schedule schedule) {
        ImageDecoder decoder = new ImageDecoder(Math.max(4, 2 * batch), schedule, sources, first);
        for (int t = 0; t < schedule.threads(); t++) {
            Thread thread = new Thread(() -> decoder.work(decode), "dnnvis-audit-decoder-" + t);
            thread.setDaemon(true);
            decoder.threads.add(thread);
        }
        decoder.threads.forEach(Thread::start);
        return decoder;
    }

    @SuppressWarnings("unchecked")
    private <T> void work(Function<T, AuditImage> decode) {
        while (true) {
            int index;
            T source;
            lock.lock();
            try {
                while (!stopped && nextToClaim < end
                        && (nextToClaim - nextToHand >= ready.length || (schedule.pauseWhileModelRuns() && modelRunning))) {
                    changed.await();
                }
                if (stopped || nextToClaim >= end) {
                    return;
                }
                try {
                    if (!sources.hasNext()) {
                        end = nextToClaim;
                        changed.signalAll();
                        return;
                    }
                    source = (T) sources.next();
                } catch (Throwable e) { // a failed read (also what Spark throws undeclared): next() throws it here
                    failure = e;
                    end = nextToClaim;
                    changed.signalAll();
                    return;
                }
                index = nextToClaim++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            Item item;
            try {
                AuditImage image = decode.apply(source);
                item = new Item(index, image.file(), image.data(), image.skipped());
            } catch (Throwable e) {
                fail(index, e);
                return;
            }
            lock.lock();
            try {
                ready[index % ready.length] = item;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void fail(int index, Throwable e) {
        lock.lock();
        try {
            if (index < end) {
                failure = e;
                end = index;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next image in order, or null after the last; what failed on a decoding thread is thrown here. */
    public Item next() {
        lock.lock();
        try {
            while (nextToHand < end && ready[nextToHand % ready.length] == null) {
                if (!changed.await(100, TimeUnit.MILLISECONDS) && threads.stream().noneMatch(Thread::isAlive)
                        && ready[nextToHand % ready.length] == null && nextToHand < end) {
                    throw new IllegalStateException("the image decoders stopped");
                }
            }
            if (nextToHand >= end) {
                if (failure instanceof RuntimeException e) {
                    throw e;
                }
                if (failure instanceof Error e) {
                    throw e;
                }
                if (failure != null) {
                    throw new IllegalStateException("reading the images failed: " + failure, failure);
                }
                return null;
            }
            Item item = ready[nextToHand % ready.length];
            ready[nextToHand % ready.length] = null;
            nextToHand++;
            changed.signalAll();
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for images", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code modelRun} (one run of the model) telling the decoders, so that a schedule that
     * pauses them keeps the cores for the model meanwhile.
     */
    public void whileModelRuns(Runnable modelRun) {
        setModelRunning(true);
        try {
            modelRun.run();
        } finally {
            setModelRunning(false);
        }
    }

    private void setModelRunning(boolean running) {
        lock.lock();
        try {
            modelRunning = running;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread thread : threads) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
