package io.dnnvis.methods.core;

import io.dnnvis.onnx.Graph;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Where a model output holds the images, the classes and the positions, read once from the output's
 * shape for one image and from the graph:
 * <ul>
 *   <li>{@link Kind#CLASSES}: one score per class, {@code [N, K]} or {@code [N, K, 1, 1]};</li>
 *   <li>{@link Kind#SEGMENTATION}: a score per class and pixel, {@code [N, K, H, W]}, or {@code [N, H, W, K]}
 *       where the graph carries the image's rows and columns to axes 1 and 2 (a TensorFlow export);</li>
 *   <li>{@link Kind#SEQUENCE}: a score per class and step, {@code [N, T, K]}, or {@code [T, N, K]} as a
 *       recurrent head gives it (recognised by its axis of size 1 at one image).</li>
 * </ul>
 * Reading a channels-last output class-first mixes pixels and classes into numbers that look right.
 *
 * @param kind what the output holds
 * @param batchAxis the axis of the images
 * @param classAxis the axis of the classes
 */
public record OutputLayout(Kind kind, int batchAxis, int classAxis) {

    /** What an output holds per image. */
    public enum Kind {
        CLASSES, SEGMENTATION, SEQUENCE
    }

    /**
     * The layout of {@code output} for one image.
     *
     * @param shapes the shapes of the graph's tensors for one image (the model input's included)
     * @param layout where the model input holds the image's rows and columns
     * @throws BadRequestException where the output is neither (rank other than 2 to 4, or a sequence
     *     without an axis of size 1 for the image)
     */
    public static OutputLayout of(Graph graph, Map<String, long[]> shapes, InputLayout layout, String output) {
        long[] shape = shapes.get(output);
        if (shape == null) {
            throw new BadRequestException("the shape of output '" + output + "' is not known");
        }
        Optional<int[]> imageAxes = shape.length == 4
                ? ImageAxes.of(graph, shapes, graph.inputs().get(0).name(), layout.heightAxis(), layout.widthAxis(),
                        output)
                : Optional.empty();
        return of(output, shape, imageAxes);
    }

    /**
     * The layout of an output of {@code shape} for one image whose rows and columns are on
     * {@code imageAxes} where the graph keeps them (a 4-D output read class-first where it does not).
     */
    public static OutputLayout of(String output, long[] shape, Optional<int[]> imageAxes) {
        if (shape.length == 3 && shape[0] != 1 && shape[1] == 1) {
            return new OutputLayout(Kind.SEQUENCE, 1, 2);
        }
        if (isClassVector(shape)) {
            return new OutputLayout(Kind.CLASSES, 0, classVectorAxis(shape));
        }
        if (shape.length == 4) {
            int[] image = imageAxes.filter(a -> a[0] > 0 && a[1] > 0).orElse(new int[] {2, 3});
            int classAxis = 6 - image[0] - image[1];
            return new OutputLayout(Kind.SEGMENTATION, 0, classAxis);
        }
        if (shape.length == 3 && shape[0] == 1) {
            return new OutputLayout(Kind.SEQUENCE, 0, 2);
        }
        throw new BadRequestException("output '" + output + "' has shape " + Arrays.toString(shape)
                + " for one image; predictions read [N,K] (classes), [N,K,H,W] or [N,H,W,K] (segmentation), "
                + "[N,T,K] or [T,N,K] (sequences)");
    }

    /**
     * Whether an output of {@code shape} holds one vector of class scores per image: {@code [N, K]},
     * or {@code [N, K, 1, 1]} as Caffe's classifiers and their converters give it (every axis after
     * the batch has size 1 but at most one).
     */
    public static boolean isClassVector(long[] shape) {
        int longer = 0;
        for (int a = 1; a < shape.length; a++) {
            if (shape[a] != 1) {
                longer++;
            }
        }
        return shape.length >= 2 && longer <= 1;
    }

    private static int classVectorAxis(long[] shape) {
        for (int a = 1; a < shape.length; a++) {
            if (shape[a] != 1) {
                return a;
            }
        }
        return 1;
    }

    /** How an output of {@code shape} (any number of images on {@link #batchAxis}) is read. */
    public Reading reading(long[] shape) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            strides[a] = stride;
            stride = Math.multiplyExact(stride, shape[a]);
        }
        int positions = 1;
        for (int a = 0; a < shape.length; a++) {
            if (a != batchAxis && a != classAxis) {
                positions = Math.multiplyExact(positions, (int) shape[a]);
            }
        }
        int[] offsets = new int[positions];
        int[] index = new int[shape.length];
        for (int p = 0; p < positions; p++) {
            long offset = 0;
            for (int a = 0; a < shape.length; a++) {
                offset += index[a] * strides[a];
            }
            offsets[p] = Math.toIntExact(offset);
            for (int a = shape.length - 1; a >= 0; a--) { // the next position, the last axis fastest
                if (a == batchAxis || a == classAxis) {
                    continue;
                }
                if (++index[a] < shape[a]) {
                    break;
                }
                index[a] = 0;
            }
        }
        return new Reading((int) shape[batchAxis], (int) shape[classAxis], Math.toIntExact(strides[batchAxis]),
                Math.toIntExact(strides[classAxis]), offsets);
    }

    /**
     * An output's values by image, position and class.
     *
     * @param images how many images the output holds
     * @param classes how many classes
     * @param imageStride values between one image and the next
     * @param classStride values between one class and the next
     * @param positionOffsets the offset of each position (pixel, in rows then columns, or step) within an image
     */
    public record Reading(int images, int classes, int imageStride, int classStride, int[] positionOffsets) {

        /** How many positions each image has: pixels or steps (1 for class scores). */
        public int positions() {
            return positionOffsets.length;
        }

        /** The score of class {@code k} at {@code position} of {@code image}. */
        public float score(float[] values, int image, int position, int k) {
            return values[index(image, position, k)];
        }

        /** Where the score of class {@code k} at {@code position} of {@code image} is: a flat row-major index. */
        public int index(int image, int position, int k) {
            return image * imageStride + positionOffsets[position] + k * classStride;
        }

        /** The class with the highest score at {@code position} of {@code image} (ties: the lowest index). */
        public int topClass(float[] values, int image, int position) {
            int base = image * imageStride + positionOffsets[position];
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (values[base + k * classStride] > values[base + best * classStride]) {
                    best = k;
                }
            }
            return best;
        }
    }
}
