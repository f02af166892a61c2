package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ClassLabels;
import io.dnnvis.methods.core.OutputLayout;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.TensorValue;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** The model's top classes for one input: users check what the model sees before the pictures. */
public final class Predictions {

    /** One class: index, label (from the model's {@code labels} metadata, else the index), score, probability. */
    public record Prediction(int index, String label, float score, float probability) {
    }

    private Predictions() {
    }

    /**
     * Whether an output of {@code shape} holds one vector of class scores per image: {@code [N, K]},
     * or {@code [N, K, 1, 1]} as Caffe's classifiers and their converters give it (every axis after
     * the batch has size 1 but at most one).
     */
    public static boolean isClassVector(long[] shape) {
        return OutputLayout.isClassVector(shape);
    }

    /**
     * The top {@code k} classes of a model output {@code [1, K]} or {@code [1, K, 1, 1]} (scores; see
     * {@link #isClassVector}). Probabilities are the scores themselves when they already form a
     * distribution, else their softmax.
     */
    public static List<Prediction> top(OnnxModel model, TensorValue output, int k) {
        float[] scores = output.data();
        long[] shape = output.shape();
        if (shape[0] != 1 || !isClassVector(shape)) {
            throw new BadRequestException("predictions need an output of shape [1, classes], '" + output.name()
                    + "' has " + java.util.Arrays.toString(shape));
        }
        float[] probabilities = isDistribution(scores) ? scores.clone() : softmax(scores);
        List<String> labels = ClassLabels.of(model);
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparing(i -> i))
                .limit(k)
                .map(i -> new Prediction(i, i < labels.size() ? labels.get(i) : Integer.toString(i), scores[i],
                        probabilities[i]))
                .toList();
    }

    private static boolean isDistribution(float[] v) {
        double sum = 0;
        for (float x : v) {
            if (x < 0 || x > 1) {
                return false;
            }
            sum += x;
        }
        return Math.abs(sum - 1) < 1e-3;
    }

    private static float[] softmax(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        double[] e = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            e[i] = Math.exp(v[i] - max);
            sum += e[i];
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (e[i] / sum);
        }
        return out;
    }
}
