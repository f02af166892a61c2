package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.onnx.OnnxModel;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Decodes an audit's images on a thread of its own, ahead of the model: each source (a folder's file,
 * a file's bytes) becomes the model's input or a {@link SkippedFile} with the reason, in the sources'
 * order, through a queue of about two batches (so memory stays a few batches, and decoding overlaps
 * inference). Close it to stop the thread. The local audit reads a folder with it, a Spark task its
 * partition's files.
 */
public final class ImageDecoder implements AutoCloseable {

    /** One source: its position ({@code first} + how many came before it), its input values or why it was skipped. */
    public record Item(int index, String file, float[] data, SkippedFile skipped) {
    }

    private static final Item END = new Item(-1, "", null, null);

    private final BlockingQueue<Item> queue;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile Throwable failure;

    private ImageDecoder(int capacity, Runnable work) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(work, "dnnvis-audit-decoder");
        this.thread.setDaemon(true);
    }

    /** Decodes {@code folder}'s files from the {@code from}-th on. */
    static ImageDecoder start(ImageFolder folder, int from, OnnxModel model, ImageInput.Options options,
            InputLayout layout, long[] inputShape, int batch) {
        return start(folder.files().subList(from, folder.files().size()).iterator(), from,
                file -> AuditImage.decode(folder.resolve(file), file, model, options, layout, inputShape), batch);
    }

    /**
     * Decodes {@code sources} in order with {@code decode} (which reports an unusable source as a
     * skipped image, never by throwing), numbering them from {@code first}; {@code batch}: the
     * model's batch, which sizes the queue. The sources are consumed on the decoder's thread.
     */
    public static <T> ImageDecoder start(Iterator<T> sources, int first, Function<T, AuditImage> decode, int batch) {
        ImageDecoder[] self = new ImageDecoder[1];
        self[0] = new ImageDecoder(Math.max(4, 2 * batch), () -> self[0].decode(sources, first, decode));
        self[0].thread.start();
        return self[0];
    }

    private <T> void decode(Iterator<T> sources, int first, Function<T, AuditImage> decode) {
        try {
            for (int i = first; !stopped && sources.hasNext(); i++) {
                AuditImage image = decode.apply(sources.next());
                put(new Item(i, image.file(), image.data(), image.skipped()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Throwable e) { // also what a source's iterator throws unchecked (a failed read): next() rethrows it
            failure = e;
        }
        try {
            put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void put(Item item) throws InterruptedException {
        while (!stopped && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
            // the model is still busy with earlier images
        }
    }

    /** The next image in order, or null after the last; what failed on the decoder's thread is thrown here. */
    public Item next() {
        try {
            Item item = queue.take();
            if (item == END) {
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
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for images", e);
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
