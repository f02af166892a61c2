package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.onnx.OnnxModel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a folder's files on a thread of its own, ahead of the model: each becomes the model's
 * input or a {@link SkippedFile} with the reason, in the folder's order, through a queue of about
 * two batches (so memory stays a few batches, and decoding overlaps inference). Close it to stop
 * the thread.
 */
final class ImageDecoder implements AutoCloseable {

    /** One file: its input values, or why it was skipped. */
    record Item(int index, String file, float[] data, SkippedFile skipped) {
    }

    private static final Item END = new Item(-1, "", null, null);

    private final BlockingQueue<Item> queue;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile RuntimeException failure;

    private ImageDecoder(int capacity, Runnable work) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(work, "dnnvis-audit-decoder");
        this.thread.setDaemon(true);
    }

    static ImageDecoder start(ImageFolder folder, int from, OnnxModel model, ImageInput.Options options,
            InputLayout layout, long[] inputShape, int batch) {
        ImageDecoder[] self = new ImageDecoder[1];
        Runnable work = () -> self[0].decode(folder, from, model, options, layout, inputShape);
        self[0] = new ImageDecoder(Math.max(4, 2 * batch), work);
        self[0].thread.start();
        return self[0];
    }

    private void decode(ImageFolder folder, int from, OnnxModel model, ImageInput.Options options, InputLayout layout,
            long[] inputShape) {
        try {
            for (int i = from; i < folder.files().size() && !stopped; i++) {
                String file = folder.files().get(i);
                put(read(i, file, folder, model, options, layout, inputShape));
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Item read(int index, String file, ImageFolder folder, OnnxModel model, ImageInput.Options options,
            InputLayout layout, long[] inputShape) {
        AuditImage image = AuditImage.decode(folder.resolve(file), file, model, options, layout, inputShape);
        return new Item(index, file, image.data(), image.skipped());
    }

    private void put(Item item) throws InterruptedException {
        while (!stopped && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
            // the model is still busy with earlier images
        }
    }

    /** The next file in order, or null after the last. */
    Item next() {
        try {
            Item item = queue.take();
            if (item == END) {
                if (failure != null) {
                    throw failure;
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
