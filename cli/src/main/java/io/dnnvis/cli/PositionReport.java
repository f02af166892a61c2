package io.dnnvis.cli;

import io.dnnvis.methods.PositionPredictions;
import io.dnnvis.methods.Predictions;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.TensorValue;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code predict} on a segmentation output {@code [1,K,H,W]} or a sequence output {@code [1,T,K]}. */
final class PositionReport {

    private PositionReport() {
    }

    /**
     * Whether {@code predict} reads this output per position rather than as one class vector (a
     * {@code [1, K, 1, 1]} output is a class vector: {@link Predictions#isClassVector}).
     */
    static boolean applies(long[] shape) {
        return (shape.length == 4 || shape.length == 3) && !Predictions.isClassVector(shape);
    }

    /** Refuses an output that predict cannot read: any rank but 2, 3 and 4, or no values (a dimension of 0). */
    static void requireReadable(OnnxModel model, TensorValue output) {
        long[] shape = output.shape();
        if (shape.length < 2 || shape.length > 4 || Arrays.stream(shape).anyMatch(d -> d == 0)) {
            throw new UserException(model.fileName() + ": output '" + output.name() + "' has shape "
                    + Arrays.toString(shape) + "; predict reads [N,K] (classes), [N,K,H,W] (segmentation) or [N,T,K] "
                    + "(sequences)");
        }
    }

    static void print(OnnxModel model, TensorValue output, int top, boolean json, PrintWriter out) {
        long[] shape = output.shape();
        if (shape.length == 4) {
            List<PositionPredictions.ClassShare> shares = PositionPredictions.segmentation(model, output, top);
            if (json) {
                out.println(Json.write(new SegmentationJson(output.name(), shape, shares)));
                return;
            }
            out.printf("segmentation %s %s: the top class of each pixel, most pixels first%n", output.name(),
                    Arrays.toString(shape));
            for (PositionPredictions.ClassShare s : shares) {
                out.printf(Locale.ROOT, "  %-12s %6.2f%%  (class %d, %d pixels)%n", LayersCommand.printable(s.label()),
                        100 * s.share(), s.index(), s.pixels());
            }
            return;
        }
        PositionPredictions.Sequence seq = PositionPredictions.sequence(model, output);
        if (json) {
            out.println(Json.write(new SequenceJson(output.name(), shape, seq.steps(), seq.greedyCtc(),
                    seq.greedyCtc().stream().map(seq.labels()::get).toList())));
            return;
        }
        out.printf("sequence %s %s: the top class of each step%n", output.name(), Arrays.toString(shape));
        out.printf("  steps:      %s%n", LayersCommand.printable(seq.text(seq.steps())));
        out.printf("  greedy CTC (blank 0, repeats collapsed): %s%n", LayersCommand.printable(seq.text(seq.greedyCtc())));
    }

    /** {@code predict --json} on a segmentation output: the classes covering most pixels. */
    record SegmentationJson(String output, long[] shape, List<PositionPredictions.ClassShare> classes) {
    }

    /** {@code predict --json} on a sequence output: each step's top class and the greedy CTC decoding. */
    record SequenceJson(String output, long[] shape, List<Integer> steps, List<Integer> greedyCtc,
            List<String> greedyCtcLabels) {
    }
}
