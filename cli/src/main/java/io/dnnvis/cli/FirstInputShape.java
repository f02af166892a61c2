package io.dnnvis.cli;

import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape {@code layers} and {@code bench} run the model's first input with: {@code --input-shape}
 * as given; else the declared shape, a dynamic batch (axis 0) taken as 1, dynamic height and width
 * from {@code --input-size HxW} or from a size in the model's metadata ({@code input_size}, or an
 * {@code HxW} in {@code input} / {@code preprocessing}, as GlyphNet's "RGB, NCHW, 64x64, ..."). Any
 * other dynamic dimension is refused with one line saying what to give: never silently 1.
 */
final class FirstInputShape {

    private static final Pattern SIZE = Pattern.compile("(?<![\\d.])(\\d{1,6})\\s*[xX]\\s*(\\d{1,6})(?![\\d.])");

    private FirstInputShape() {
    }

    /**
     * The first input's shape; empty when the model declares none (the caller says what to give) or
     * has no input.
     *
     * @throws UserException for a dynamic dimension nothing sets
     */
    static Optional<long[]> of(OnnxModel model, InputShape given, ImageSize size) {
        List<ValueInfo> inputs = model.graph().inputs();
        if (given != null) {
            if (!inputs.isEmpty()) {
                requireFits(model, inputs.get(0), given.dims());
            }
            return Optional.of(given.dims());
        }
        if (inputs.isEmpty() || inputs.get(0).shape().isEmpty()) {
            return Optional.empty();
        }
        ValueInfo input = inputs.get(0);
        List<Dim> dims = input.shape().get();
        long[] shape = new long[dims.size()];
        for (int k = 0; k < shape.length; k++) {
            shape[k] = dims.get(k).isFixed() ? dims.get(k).value() : k == 0 ? 1 : -1;
        }
        if (Arrays.stream(shape).anyMatch(d -> d == 0)) {
            throw new UserException(model.fileName() + ": input '" + input.name() + "' has a fixed size of 0 in "
                    + dims + "; there is nothing to run");
        }
        if (Arrays.stream(shape).noneMatch(d -> d < 0)) {
            return Optional.of(shape);
        }
        ImageSize hw = size != null ? size : metadataSize(model).orElse(null);
        if (hw != null && shape.length == 4) {
            int[] spatial = channelsLast(dims) ? new int[] {1, 2} : new int[] {2, 3};
            set(model, input, shape, spatial[0], hw.height(), size != null);
            set(model, input, shape, spatial[1], hw.width(), size != null);
        }
        if (Arrays.stream(shape).anyMatch(d -> d < 0)) {
            throw new UserException(model.fileName() + ": input '" + input.name() + "' has dynamic dimensions "
                    + dims + "; give --input-shape " + (shape.length == 4 ? "N,C,H,W" : "with " + shape.length
                    + " dimensions") + (shape.length == 4 ? " or --input-size HxW" : "")
                    + " (or a size HxW in the model's metadata 'input_size')");
        }
        return Optional.of(shape);
    }

    /**
     * Refuses an {@code --input-shape} that the declared shape rules out: another rank, or another
     * size on a fixed axis (an N,C,H,W shape given for a model that takes N,H,W,C).
     */
    private static void requireFits(OnnxModel model, ValueInfo input, long[] given) {
        if (input.shape().isEmpty()) {
            return;
        }
        List<Dim> dims = input.shape().get();
        String declared = model.fileName() + ": --input-shape " + Arrays.toString(given) + " does not fit input '"
                + input.name() + "' " + dims;
        if (dims.size() != given.length) {
            throw new UserException(declared + ": it has " + dims.size() + " dimensions");
        }
        for (int k = 0; k < given.length; k++) {
            if (dims.get(k).isFixed() && dims.get(k).value() != given[k]) {
                throw new UserException(declared + ": axis " + k + " is " + dims.get(k).value()
                        + (dims.size() == 4 && channelsLast(dims) ? " (the model takes N,H,W,C)" : ""));
            }
        }
    }

    /** NHWC: the last axis fixed (the channels) and axis 1 dynamic or larger than 4. */
    private static boolean channelsLast(List<Dim> dims) {
        Dim second = dims.get(1);
        Dim last = dims.get(3);
        return last.isFixed() && last.value() <= 4 && (!second.isFixed() || second.value() > 4);
    }

    private static void set(OnnxModel model, ValueInfo input, long[] shape, int axis, long value, boolean fromOption) {
        if (shape[axis] >= 0 && shape[axis] != value) {
            throw new UserException(model.fileName() + ": input '" + input.name() + "' has " + shape[axis]
                    + " at axis " + axis + ", not " + value + " as " + (fromOption ? "--input-size" : "the metadata")
                    + " says");
        }
        shape[axis] = value;
    }

    /** A size HxW from the metadata: key {@code input_size}, else within {@code input} or {@code preprocessing}. */
    static Optional<ImageSize> metadataSize(OnnxModel model) {
        for (String key : List.of("input_size", "input", "preprocessing")) {
            String text = model.metadata().get(key);
            if (text == null) {
                continue;
            }
            Matcher m = SIZE.matcher(text);
            if (m.find()) {
                int h = Integer.parseInt(m.group(1));
                int w = Integer.parseInt(m.group(2));
                if (h > 0 && w > 0) {
                    return Optional.of(new ImageSize(h, w));
                }
            }
        }
        return Optional.empty();
    }
}
