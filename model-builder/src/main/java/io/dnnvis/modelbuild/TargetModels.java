package io.dnnvis.modelbuild;

import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import java.util.List;
import java.util.Random;

/**
 * Small seeded models whose outputs are not {@code [N, K]}, for the tests of targets, predictions
 * and dynamic shapes: a segmentation net, a sequence (CTC-like) net with two outputs.
 */
public final class TargetModels {

    private TargetModels() {
    }

    /**
     * x {@code [1, 3, 8, 8]} → Conv 3x3 (4) → Tanh → Conv 3x3 (3) → {@code [1, 3, 8, 8]}.
     *
     * @param dynamicSize whether H and W of the input are dynamic (symbolic) instead of 8
     */
    public static ModelBuilder segmentation(boolean dynamicSize) {
        ModelBuilder b = ModelBuilder.create(13).name("segmentation");
        Random rnd = new Random(17);
        String x = dynamicSize ? b.input("x", -1, 3, -1, -1) : b.input("x", 1, 3, 8, 8);
        String h = b.node("Tanh", List.of(b.conv(x, 3, 4, 3, 1, 1, 1, rnd)));
        String seg = b.conv(h, 4, 3, 3, 1, 1, 1, rnd);
        b.output(seg);
        return b;
    }

    /**
     * x {@code [1, 2, 4, 6]} → Conv 3x3 (3) → Tanh → Reshape {@code [1, 12, 6]} → Transpose
     * {@code [1, 6, 12]} → MatMul {@code [12, 5]} → logits {@code [1, 6, 5]} (6 steps, 5
     * classes) and a Softmax of them over the classes (axis -1): two outputs, the logits first.
     */
    public static ModelBuilder sequence() {
        ModelBuilder b = ModelBuilder.create(13).name("sequence");
        Random rnd = new Random(23);
        String x = b.input("x", 1, 2, 4, 6);
        String h = b.node("Tanh", List.of(b.conv(x, 2, 3, 3, 1, 1, 1, rnd)));
        String steps = b.node("Transpose", List.of(b.reshape(h, 1, 12, 6)), intsAttr("perm", 0, 2, 1));
        String logits = b.node("MatMul", List.of(steps, b.randomInitializer("W", rnd, 0.5, 12, 5)));
        b.output(logits);
        b.output(b.softmax(logits, -1));
        return b;
    }
}
