package io.dnnvis.methods.core;

import io.dnnvis.onnx.OnnxModel;
import java.util.Arrays;

/** The elements a class target selects in an output {@code [N, K]}, {@code [N, K, H, W]} or {@code [N, T, K]}. */
final class ClassElements {

    private ClassElements() {
    }

    static int[] of(OnnxModel model, Target.ClassScore c, String tensor, long[] shape) {
        long total = TargetSelection.size(shape);
        if (shape.length >= 2 && total == shape[0] * shape[1] && shape.length != 3) {
            refuseStep(c, tensor, shape);
            refuseArea(c, tensor, shape);
            return new int[] {ClassLabels.resolve(model, c.classKey(), (int) shape[1])};
        }
        if (shape.length == 4) {
            refuseStep(c, tensor, shape);
            return segmentation(model, c, shape);
        }
        if (shape.length == 3) {
            refuseArea(c, tensor, shape);
            return sequence(model, c, tensor, shape);
        }
        throw new BadRequestException("'" + tensor + "' has shape " + Arrays.toString(shape) + "; class targets need"
                + " an output [N,K], [N,K,H,W] or [N,T,K] (use output:NAME[i,j,...] for one element)");
    }

    /** Class K's map {@code [H, W]}, inside the area when one is given. */
    private static int[] segmentation(OnnxModel model, Target.ClassScore c, long[] shape) {
        int k = ClassLabels.resolve(model, c.classKey(), (int) shape[1]);
        int h = (int) shape[2];
        int w = (int) shape[3];
        if (c.area().isEmpty()) {
            return TargetSelection.range(k * h * w, h * w);
        }
        TargetArea area = c.area().get();
        area.check(h, w);
        int[] picked = new int[h * w];
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (area.contains(y, x, h, w)) {
                    picked[n++] = (k * h + y) * w + x;
                }
            }
        }
        return Arrays.copyOf(picked, n);
    }

    /** Class K at step t, or at every step. */
    private static int[] sequence(OnnxModel model, Target.ClassScore c, String tensor, long[] shape) {
        int steps = (int) shape[1];
        int classes = (int) shape[2];
        int k = ClassLabels.resolve(model, c.classKey(), classes);
        if (c.step().isPresent()) {
            int t = c.step().getAsInt() < 0 ? c.step().getAsInt() + steps : c.step().getAsInt();
            if (t < 0 || t >= steps) {
                throw new BadRequestException("step " + c.step().getAsInt() + " does not exist in '" + tensor
                        + "' of shape " + Arrays.toString(shape) + " (steps 0.." + (steps - 1) + ")");
            }
            return new int[] {t * classes + k};
        }
        int[] picked = new int[steps];
        for (int t = 0; t < steps; t++) {
            picked[t] = t * classes + k;
        }
        return picked;
    }

    private static void refuseStep(Target.ClassScore c, String tensor, long[] shape) {
        if (c.step().isPresent()) {
            throw new BadRequestException("class:K@t needs a sequence output [N,T,K]; '" + tensor + "' has shape "
                    + Arrays.toString(shape));
        }
    }

    private static void refuseArea(Target.ClassScore c, String tensor, long[] shape) {
        if (c.area().isPresent()) {
            throw new BadRequestException("a region or mask needs a segmentation output [N,K,H,W]; '" + tensor
                    + "' has shape " + Arrays.toString(shape));
        }
    }
}
