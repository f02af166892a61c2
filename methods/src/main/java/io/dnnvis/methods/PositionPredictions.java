package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ClassLabels;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a model predicts at each position of an output that is not {@code [1, K]}: the top class of
 * every pixel of a segmentation output {@code [1, K, H, W]}, as a histogram, or of every step of a
 * sequence output {@code [1, T, K]}, with its greedy CTC decoding.
 */
public final class PositionPredictions {

    /** A class and the pixels where it scores highest: how many, and their share of the map. */
    public record ClassShare(int index, String label, int pixels, double share) {
    }

    /**
     * A sequence output read step by step.
     *
     * @param steps the top class of each step (ties: the lowest index)
     * @param greedyCtc the steps with repeats collapsed and the blank (class 0) dropped: greedy CTC decoding
     * @param labels the label of every class (from the model's metadata, else the index)
     */
    public record Sequence(List<Integer> steps, List<Integer> greedyCtc, List<String> labels) {
        public Sequence {
            steps = List.copyOf(steps);
            greedyCtc = List.copyOf(greedyCtc);
            labels = List.copyOf(labels);
        }

        /** The labels of {@code classes}, joined by a space. */
        public String text(List<Integer> classes) {
            return String.join(" ", classes.stream().map(labels::get).toList());
        }
    }

    private PositionPredictions() {
    }

    /** The classes that score highest at most pixels of {@code output [1, K, H, W]}, most pixels first (at most {@code top}). */
    public static List<ClassShare> segmentation(OnnxModel model, TensorValue output, int top) {
        long[] shape = output.shape();
        if (shape.length != 4 || shape[0] != 1) {
            throw new BadRequestException("a segmentation output needs shape [1, K, H, W], '" + output.name()
                    + "' has " + Arrays.toString(shape));
        }
        int classes = (int) shape[1];
        int plane = (int) (shape[2] * shape[3]);
        int[] pixels = winningPixels(output.data(), 0, classes, plane);
        List<String> labels = labels(model, classes);
        return IntStream.range(0, classes).boxed().filter(k -> pixels[k] > 0)
                .sorted(Comparator.comparingInt((Integer k) -> -pixels[k]).thenComparing(k -> k)).limit(top)
                .map(k -> new ClassShare(k, labels.get(k), pixels[k], pixels[k] / (double) plane)).toList();
    }

    /** The top class of each step of {@code output [1, T, K]} and the greedy CTC decoding (blank 0). */
    public static Sequence sequence(OnnxModel model, TensorValue output) {
        long[] shape = output.shape();
        if (shape.length != 3 || shape[0] != 1) {
            throw new BadRequestException("a sequence output needs shape [1, T, K], '" + output.name() + "' has "
                    + Arrays.toString(shape));
        }
        int steps = (int) shape[1];
        int classes = (int) shape[2];
        List<Integer> best = topOfEachStep(output.data(), 0, steps, classes);
        List<Integer> decoded = greedyCtc(best);
        return new Sequence(best, decoded, labels(model, classes));
    }

    /**
     * Per class, the pixels of one image's segmentation scores ({@code classes} planes of
     * {@code plane} values from {@code offset}, class-major) where it scores highest (ties: the lowest index).
     */
    public static int[] winningPixels(float[] v, int offset, int classes, int plane) {
        int[] pixels = new int[classes];
        for (int p = 0; p < plane; p++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (v[offset + k * plane + p] > v[offset + best * plane + p]) {
                    best = k;
                }
            }
            pixels[best]++;
        }
        return pixels;
    }

    /** The top class of each of {@code steps} steps of {@code classes} scores from {@code offset} (ties: the lowest index). */
    public static List<Integer> topOfEachStep(float[] v, int offset, int steps, int classes) {
        List<Integer> best = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            int b = 0;
            for (int k = 1; k < classes; k++) {
                if (v[offset + t * classes + k] > v[offset + t * classes + b]) {
                    b = k;
                }
            }
            best.add(b);
        }
        return best;
    }

    /** Greedy CTC decoding of the steps' top classes: repeats collapsed, then the blank (class 0) dropped. */
    public static List<Integer> greedyCtc(List<Integer> steps) {
        List<Integer> decoded = new ArrayList<>();
        int previous = -1;
        for (int b : steps) {
            if (b != previous && b != 0) {
                decoded.add(b);
            }
            previous = b;
        }
        return decoded;
    }

    /** The label of every one of {@code classes} classes: the model's metadata, else the index. */
    public static List<String> labels(OnnxModel model, int classes) {
        List<String> given = ClassLabels.of(model);
        return IntStream.range(0, classes).mapToObj(k -> k < given.size() ? given.get(k) : Integer.toString(k)).toList();
    }
}
