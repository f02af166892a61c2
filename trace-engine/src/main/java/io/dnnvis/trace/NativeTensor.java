package io.dnnvis.trace;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A float tensor shared with ONNX Runtime through a pooled direct buffer: an input it reads, or an
 * output it writes into (a pinned output). ONNX Runtime's Java API copies a heap array into a fresh
 * direct buffer on every call (1.7 ms for one 224×224 image on the benchmark machine, most of it
 * touching new memory), and copies every output to a fresh heap buffer; a direct buffer is used in
 * place, so dnnvis keeps a few per size and reuses them. Close it (try-with-resources) to free the
 * native tensor and give the buffer back.
 */
public final class NativeTensor implements AutoCloseable {

    /** Buffers kept per size. */
    private static final int PER_SIZE = 8;
    /** Bytes kept in all. */
    private static final long POOLED_BYTES_LIMIT = 256L << 20;

    private static final Map<Integer, Queue<ByteBuffer>> POOL = new ConcurrentHashMap<>();
    private static final AtomicLong POOLED_BYTES = new AtomicLong();

    private final ByteBuffer buffer;
    private final OnnxTensor tensor;

    private NativeTensor(ByteBuffer buffer, OnnxTensor tensor) {
        this.buffer = buffer;
        this.tensor = tensor;
    }

    /** The values of {@code value}, as a native tensor of its shape. */
    public static NativeTensor of(TensorValue value) throws OrtException {
        return of(value.dataView(), 0, value.dataView().length, value.shape());
    }

    /** {@code count} floats of {@code data} from {@code offset}, as a native tensor of {@code shape}. */
    public static NativeTensor of(float[] data, int offset, int count, long[] shape) throws OrtException {
        ByteBuffer buffer = borrow(Math.multiplyExact(count, Float.BYTES));
        FloatBuffer floats = buffer.asFloatBuffer();
        floats.put(data, offset, count);
        floats.rewind();
        return wrap(buffer, floats, shape);
    }

    /** A tensor of {@code shape} for ONNX Runtime to write an output into (contents undefined until then). */
    public static NativeTensor output(long[] shape) throws OrtException {
        int count = Math.toIntExact(TensorValue.elementCount(shape));
        ByteBuffer buffer = borrow(Math.multiplyExact(count, Float.BYTES));
        return wrap(buffer, buffer.asFloatBuffer(), shape);
    }

    private static NativeTensor wrap(ByteBuffer buffer, FloatBuffer floats, long[] shape) throws OrtException {
        try {
            return new NativeTensor(buffer, OnnxTensor.createTensor(OrtSessions.environment(), floats, shape));
        } catch (OrtException | RuntimeException e) {
            giveBack(buffer);
            throw e;
        }
    }

    /** Copies the values into {@code dest} from {@code offset} on. */
    public void copyTo(float[] dest, int offset) {
        FloatBuffer floats = buffer.asFloatBuffer();
        floats.get(dest, offset, floats.remaining());
    }

    /** The values, read in place (a view; ONNX Runtime may write them while the tensor is in a run). */
    public FloatBuffer values() {
        return buffer.asFloatBuffer();
    }

    /** The number of values. */
    public int size() {
        return buffer.capacity() / Float.BYTES;
    }

    public OnnxTensor tensor() {
        return tensor;
    }

    @Override
    public void close() {
        tensor.close();
        giveBack(buffer);
    }

    private static ByteBuffer borrow(int bytes) {
        Queue<ByteBuffer> free = POOL.get(bytes);
        ByteBuffer b = free == null ? null : free.poll();
        if (b == null) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        POOLED_BYTES.addAndGet(-bytes);
        b.clear();
        return b;
    }

    private static void giveBack(ByteBuffer b) {
        int bytes = b.capacity();
        Queue<ByteBuffer> free = POOL.computeIfAbsent(bytes, k -> new ConcurrentLinkedQueue<>());
        if (free.size() >= PER_SIZE) {
            return; // dropped: the collector frees it
        }
        if (POOLED_BYTES.addAndGet(bytes) > POOLED_BYTES_LIMIT) {
            POOLED_BYTES.addAndGet(-bytes);
            return;
        }
        free.offer(b);
    }
}
