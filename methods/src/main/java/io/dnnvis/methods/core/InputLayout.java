package io.dnnvis.methods.core;

import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a 4-D image input keeps its channels: {@code [N, C, H, W]} (PyTorch, Caffe, Paddle) or
 * {@code [N, H, W, C]} (tf2onnx and keras2onnx exports, whose graphs start with a Transpose).
 *
 * <p>Everything that works in input space (image feeding, occlusion windows and fills) reads the
 * axes from here; everything that comes out in input space (reconstructions, pictures, .npy files)
 * is laid out NCHW whatever the model's layout, so an NHWC model and its NCHW twin give the same
 * values.
 */
public enum InputLayout {
    /** {@code [N, C, H, W]}. */
    NCHW(1, 2, 3),
    /** {@code [N, H, W, C]}. */
    NHWC(3, 1, 2);

    private static final long[] NHWC_TO_NCHW = {0, 3, 1, 2};

    private final int channelAxis;
    private final int heightAxis;
    private final int widthAxis;

    InputLayout(int channelAxis, int heightAxis, int widthAxis) {
        this.channelAxis = channelAxis;
        this.heightAxis = heightAxis;
        this.widthAxis = widthAxis;
    }

    public int channelAxis() {
        return channelAxis;
    }

    public int heightAxis() {
        return heightAxis;
    }

    public int widthAxis() {
        return widthAxis;
    }

    /** {@code nchw} or {@code nhwc}, as {@code --layout} takes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code nchw} or {@code nhwc} (any case). */
    public static InputLayout parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        for (InputLayout layout : values()) {
            if (layout.name().equals(t)) {
                return layout;
            }
        }
        throw new BadRequestException("unknown layout '" + text + "' (nchw or nhwc)");
    }

    /**
     * The layout of {@code model}'s (first) input, decided from the graph: NHWC when the input
     * goes straight into a Transpose with {@code perm [0, 3, 1, 2]}, or when its declared shape is
     * 4-D with a last dimension of 1 or 3 and a second that is neither; NCHW otherwise.
     */
    public static InputLayout of(OnnxModel model) {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.isEmpty()) {
            return NCHW;
        }
        ValueInfo input = inputs.get(0);
        if (feedsNhwcTranspose(model, input.name())) {
            return NHWC;
        }
        Optional<List<Dim>> dims = input.shape();
        return dims.isPresent() && dims.get().size() == 4 && looksNhwc(dims.get()) ? NHWC : NCHW;
    }

    /**
     * The layout to use for {@code model}: {@code override} when given (it must fit the declared
     * input shape), else {@link #of(OnnxModel) the one decided from the graph}.
     *
     * @throws BadRequestException when {@code override} puts the channels on an axis whose declared
     *     size is not a channel count (1, 3 or 4) while the other layout's is
     */
    public static InputLayout resolve(OnnxModel model, Optional<InputLayout> override) {
        if (override.isEmpty()) {
            return of(model);
        }
        InputLayout chosen = override.get();
        List<ValueInfo> inputs = model.graph().inputs();
        Optional<List<Dim>> dims = inputs.isEmpty() ? Optional.empty() : inputs.get(0).shape();
        if (dims.isPresent() && dims.get().size() == 4) {
            Dim channels = dims.get().get(chosen.channelAxis);
            Dim other = dims.get().get(chosen.other().channelAxis);
            if (channels.isFixed() && !isChannelCount(channels) && other.isFixed() && isChannelCount(other)) {
                throw new BadRequestException(model.fileName() + ": --layout " + chosen.label() + " does not fit input '"
                        + inputs.get(0).name() + "' " + dims.get() + ": its channel axis would hold "
                        + channels.value() + " channels (the shape is " + chosen.other().label() + ")");
            }
        }
        return chosen;
    }

    /** The other layout. */
    public InputLayout other() {
        return this == NCHW ? NHWC : NCHW;
    }

    /** The number of channels of a 4-D shape in this layout. */
    public int channels(long[] shape) {
        return (int) shape[channelAxis];
    }

    public int height(long[] shape) {
        return (int) shape[heightAxis];
    }

    public int width(long[] shape) {
        return (int) shape[widthAxis];
    }

    /** A 4-D shape in this layout as NCHW {@code [N, C, H, W]}. */
    public long[] toNchwShape(long[] shape) {
        requireRank4(shape);
        return new long[] {shape[0], shape[channelAxis], shape[heightAxis], shape[widthAxis]};
    }

    /** The NCHW shape {@code [N, C, H, W]} in this layout. */
    public long[] fromNchwShape(long[] nchw) {
        requireRank4(nchw);
        long[] shape = new long[4];
        shape[0] = nchw[0];
        shape[channelAxis] = nchw[1];
        shape[heightAxis] = nchw[2];
        shape[widthAxis] = nchw[3];
        return shape;
    }

    /**
     * Row-major values of a 4-D tensor of {@code shape} in this layout, rearranged as NCHW; the
     * array itself for NCHW.
     */
    public float[] toNchw(float[] data, long[] shape) {
        requireRank4(shape);
        if (this == NCHW) {
            return data;
        }
        int n = (int) shape[0];
        int h = (int) shape[1];
        int w = (int) shape[2];
        int c = (int) shape[3];
        float[] out = new float[data.length];
        int plane = h * w;
        for (int b = 0; b < n; b++) {
            int base = b * plane * c;
            for (int p = 0; p < plane; p++) {
                for (int k = 0; k < c; k++) {
                    out[base + k * plane + p] = data[base + p * c + k];
                }
            }
        }
        return out;
    }

    /**
     * Row-major NCHW values of a 4-D tensor of {@code nchwShape} rearranged into this layout (the
     * inverse of {@link #toNchw}); the array itself for NCHW.
     */
    public float[] fromNchw(float[] data, long[] nchwShape) {
        requireRank4(nchwShape);
        if (this == NCHW) {
            return data;
        }
        int n = (int) nchwShape[0];
        int c = (int) nchwShape[1];
        int plane = (int) (nchwShape[2] * nchwShape[3]);
        float[] out = new float[data.length];
        for (int b = 0; b < n; b++) {
            int base = b * plane * c;
            for (int k = 0; k < c; k++) {
                for (int p = 0; p < plane; p++) {
                    out[base + p * c + k] = data[base + k * plane + p];
                }
            }
        }
        return out;
    }

    /** The flat index of element (image 0) channel c, row y, column x of a tensor of {@code shape} in this layout. */
    public int index(long[] shape, int c, int y, int x) {
        int h = height(shape);
        int w = width(shape);
        int channels = channels(shape);
        return this == NCHW ? (c * h + y) * w + x : (y * w + x) * channels + c;
    }

    private static void requireRank4(long[] shape) {
        if (shape.length != 4) {
            throw new BadRequestException("an image input needs 4 dimensions, got shape " + Arrays.toString(shape));
        }
    }

    private static boolean feedsNhwcTranspose(OnnxModel model, String input) {
        for (Node node : model.graph().consumers(input)) {
            Optional<long[]> perm = node.intsAttribute("perm");
            if (node.opType().equals("Transpose") && perm.isPresent() && Arrays.equals(perm.get(), NHWC_TO_NCHW)) {
                return true;
            }
        }
        return false;
    }

    private static boolean looksNhwc(List<Dim> dims) {
        Dim second = dims.get(1);
        Dim last = dims.get(3);
        boolean lastIsChannels = last.isFixed() && (last.value() == 1 || last.value() == 3);
        boolean secondIsChannels = second.isFixed() && (second.value() == 1 || second.value() == 3);
        return lastIsChannels && !secondIsChannels;
    }

    private static boolean isChannelCount(Dim d) {
        return d.value() == 1 || d.value() == 3 || d.value() == 4;
    }
}
