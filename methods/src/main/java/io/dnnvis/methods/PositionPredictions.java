package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ClassLabels;
import io.dnnvis.methods.core.OutputLayout;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a model predicts at each position of an output that is not {@code [1, K]}: the top class of
 * every pixel of a segmentation output, as a histogram, or of every step of a sequence output, with its
 * greedy CTC decoding ({@link OutputLayout} says where the classes and positions are).
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

    /**
     * The classes that score highest at most pixels of a segmentation {@code output} of one image laid
     * out as {@code layout} says, most pixels first (at most {@code top}).
     */
    public static List<ClassShare> segmentation(OnnxModel model, TensorValue output, OutputLayout layout, int top) {
        OutputLayout.Reading reading = readingOfOne(output, layout, OutputLayout.Kind.SEGMENTATION);
        int[] pixels = winningPixels(output.data(), reading, 0);
        int plane = reading.positions();
        List<String> labels = labels(model, reading.classes());
        return IntStream.range(0, reading.classes()).boxed().filter(k -> pixels[k] > 0)
                .sorted(Comparator.comparingInt((Integer k) -> -pixels[k]).thenComparing(k -> k)).limit(top)
                .map(k -> new ClassShare(k, labels.get(k), pixels[k], pixels[k] / (double) plane)).toList();
    }

    /** The top class of each step of a sequence {@code output} of one image and its greedy CTC decoding (blank 0). */
    public static Sequence sequence(OnnxModel model, TensorValue output, OutputLayout layout) {
        OutputLayout.Reading reading = readingOfOne(output, layout, OutputLayout.Kind.SEQUENCE);
        List<Integer> best = topOfEachStep(output.data(), reading, 0);
        return new Sequence(best, greedyCtc(best), labels(model, reading.classes()));
    }

    private static OutputLayout.Reading readingOfOne(TensorValue output, OutputLayout layout, OutputLayout.Kind kind) {
        OutputLayout.Reading reading = layout.reading(output.shape());
        if (layout.kind() != kind || reading.images() != 1) {
            throw new BadRequestException("output '" + output.name() + "' " + Arrays.toString(output.shape())
                    + " is not a " + kind.name().toLowerCase(java.util.Locale.ROOT) + " output of one image");
        }
        return reading;
    }

    /**
     * Per class, the pixels of {@code image}'s segmentation scores where it scores highest (ties: the
     * lowest index).
     */
    public static int[] winningPixels(float[] v, OutputLayout.Reading reading, int image) {
        int[] pixels = new int[reading.classes()];
        for (int p = 0; p < reading.positions(); p++) {
            pixels[reading.topClass(v, image, p)]++;
        }
        return pixels;
    }

    /** The top class of each step of {@code image}'s sequence scores (ties: the lowest index). */
    public static List<Integer> topOfEachStep(float[] v, OutputLayout.Reading reading, int image) {
        List<Integer> best = new ArrayList<>();
        for (int t = 0; t < reading.positions(); t++) {
            best.add(reading.topClass(v, image, t));
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
