package io.dnnvis.trace.backward;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.dnnvis.trace.NativeTensor;
import io.dnnvis.trace.OrtSessions;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The B start signals of one request as a compiled graph takes them: whole-target masks, or one
 * channel each (the channel and that channel's values) for a graph that starts from one channel.
 */
abstract sealed class Selections {

    /** The native tensors of one run's selections; closing frees them. */
    record Feed(NativeTensor values, OnnxTensor channels) implements AutoCloseable {
        OnnxTensor selection() {
            return values.tensor();
        }

        @Override
        public void close() {
            values.close();
            if (channels != null) {
                channels.close();
            }
        }
    }

    final long[] targetShape;

    private Selections(long[] targetShape) {
        this.targetShape = targetShape.clone();
    }

    abstract int count();

    /** Whether every selection is one channel of the target (a graph may then start from it). */
    final boolean oneChannelEach() {
        return this instanceof Channels;
    }

    /** The same selections as whole-target masks. */
    abstract Selections asMasks();

    /** Selections {@code [from, to)} as native tensors. */
    abstract Feed feed(int from, int to) throws OrtException;

    static Selections ofMasks(List<float[]> masks, long[] targetShape) {
        int per = Math.toIntExact(Arrays.stream(targetShape).reduce(1, Math::multiplyExact));
        for (int k = 0; k < masks.size(); k++) {
            if (masks.get(k).length != per) {
                throw new IllegalArgumentException("selection " + k + " has " + masks.get(k).length
                        + " values, the target has " + per);
            }
        }
        return ChannelSelections.of(masks, targetShape).<Selections>map(c -> new Channels(c, targetShape))
                .orElseGet(() -> new Masks(List.copyOf(masks), targetShape));
    }

    static Selections ofChannels(ChannelSelections channels, long[] targetShape) {
        return new Channels(channels, targetShape);
    }

    private static final class Masks extends Selections {
        private final List<float[]> masks;

        Masks(List<float[]> masks, long[] targetShape) {
            super(targetShape);
            this.masks = masks;
        }

        @Override
        int count() {
            return masks.size();
        }

        @Override
        Selections asMasks() {
            return this;
        }

        @Override
        Feed feed(int from, int to) throws OrtException {
            int per = Math.toIntExact(Arrays.stream(targetShape).reduce(1, Math::multiplyExact));
            float[] joined = new float[Math.multiplyExact(to - from, per)];
            for (int k = from; k < to; k++) {
                System.arraycopy(masks.get(k), 0, joined, (k - from) * per, per);
            }
            return new Feed(NativeTensor.of(joined, 0, joined.length, batched(to - from, targetShape)), null);
        }
    }

    private static final class Channels extends Selections {
        private final ChannelSelections channels;

        Channels(ChannelSelections channels, long[] targetShape) {
            super(targetShape);
            this.channels = channels;
        }

        @Override
        int count() {
            return channels.size();
        }

        @Override
        Selections asMasks() {
            return new Masks(channels.masks(targetShape), targetShape);
        }

        @Override
        Feed feed(int from, int to) throws OrtException {
            long[] oneChannel = targetShape.clone();
            oneChannel[1] = 1;
            int per = Math.toIntExact(Arrays.stream(oneChannel).reduce(1, Math::multiplyExact));
            NativeTensor values = NativeTensor.of(channels.valuesView(), from * per, (to - from) * per,
                    batched(to - from, oneChannel));
            try {
                int images = Math.toIntExact(targetShape[0]);
                OnnxTensor picked = OnnxTensor.createTensor(OrtSessions.environment(),
                        LongBuffer.wrap(channels.channelsOfImages(from, to, images)), new long[] {to - from, images});
                return new Feed(values, picked);
            } catch (OrtException | RuntimeException e) {
                values.close();
                throw e;
            }
        }
    }

    private static long[] batched(int b, long[] shape) {
        long[] out = new long[shape.length + 1];
        out[0] = b;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }
}
