package io.dnnvis.methods.core;

import io.dnnvis.onnx.OnnxModel;
import java.util.Arrays;

/**
 * The elements a class target selects in an output of class scores, a segmentation output or a sequence
 * output, laid out as its {@link OutputLayout} says.
 */
final class ClassElements {

    private ClassElements() {
    }

    /**
     * The elements of class target {@code c} in {@code tensor} of {@code shape} (one image), laid out as
     * {@code layout} says: the class's score; its map (inside the area when one is given); its score at
     * one step or at every step. Ascending.
     */
    static int[] of(OnnxModel model, Target.ClassScore c, String tensor, long[] shape, OutputLayout layout) {
        OutputLayout.Reading reading = layout.reading(shape);
        int k = ClassLabels.resolve(model, c.classKey(), reading.classes());
        int[] picked = switch (layout.kind()) {
            case CLASSES -> {
                if (!(shape.length == 3 && c.step().isPresent())) { // [1, 1, K]: a sequence of one step
                    refuseStep(c, tensor, shape);
                }
                refuseArea(c, tensor, shape);
                yield sequence(c, tensor, shape, reading, k);
            }
            case SEGMENTATION -> {
                refuseStep(c, tensor, shape);
                yield segmentation(c, shape, layout, reading, k);
            }
            case SEQUENCE -> {
                refuseArea(c, tensor, shape);
                yield sequence(c, tensor, shape, reading, k);
            }
        };
        Arrays.sort(picked);
        return picked;
    }

    /** Class K's map, inside the area when one is given (rows and columns: the map's axes in order). */
    private static int[] segmentation(Target.ClassScore c, long[] shape, OutputLayout layout,
            OutputLayout.Reading reading, int k) {
        int[] mapAxes = java.util.stream.IntStream.range(1, 4).filter(a -> a != layout.classAxis()).toArray();
        int h = (int) shape[mapAxes[0]];
        int w = (int) shape[mapAxes[1]];
        c.area().ifPresent(area -> area.check(h, w));
        int[] picked = new int[h * w];
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (c.area().isEmpty() || c.area().get().contains(y, x, h, w)) {
                    picked[n++] = reading.index(0, y * w + x, k);
                }
            }
        }
        return Arrays.copyOf(picked, n);
    }

    /** Class K at step t, or at every step. */
    private static int[] sequence(Target.ClassScore c, String tensor, long[] shape, OutputLayout.Reading reading,
            int k) {
        int steps = reading.positions();
        if (c.step().isPresent()) {
            int t = c.step().getAsInt() < 0 ? c.step().getAsInt() + steps : c.step().getAsInt();
            if (t < 0 || t >= steps) {
                throw new BadRequestException("step " + c.step().getAsInt() + " does not exist in '" + tensor
                        + "' of shape " + Arrays.toString(shape) + " (steps 0.." + (steps - 1) + ")");
            }
            return new int[] {reading.index(0, t, k)};
        }
        int[] picked = new int[steps];
        for (int t = 0; t < steps; t++) {
            picked[t] = reading.index(0, t, k);
        }
        return picked;
    }

    private static void refuseStep(Target.ClassScore c, String tensor, long[] shape) {
        if (c.step().isPresent()) {
            throw new BadRequestException("class:K@t needs a sequence output [N,T,K] or [T,N,K]; '" + tensor + "' has shape "
                    + Arrays.toString(shape));
        }
    }

    private static void refuseArea(Target.ClassScore c, String tensor, long[] shape) {
        if (c.area().isPresent()) {
            throw new BadRequestException("a region or mask needs a segmentation output [N,K,H,W] or [N,H,W,K]; '" + tensor
                    + "' has shape " + Arrays.toString(shape));
        }
    }
}
