package io.dnnvis.cli;

import io.dnnvis.methods.PositionPredictions;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.OutputLayout;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code predict} on a segmentation output or a sequence output ({@link OutputLayout}). */
final class PositionReport {

    private PositionReport() {
    }

    /**
     * Where the model's first output holds the classes and positions for {@code loaded}'s input
     * ({@link OutputLayout}: a {@code [1, K, 1, 1]} output is a class vector, an NHWC segmentation
     * output and a {@code [T, N, K]} sequence output are read as the graph lays them out).
     */
    static OutputLayout layout(OnnxModel model, Tracer tracer, TensorValue input, InputLayout inputLayout) {
        Map<String, long[]> shapes = tracer.shapes(Map.of(model.graph().inputs().get(0).name(), input.shape()));
        try {
            return OutputLayout.of(model.graph(), shapes, inputLayout, model.graph().outputs().get(0).name());
        } catch (BadRequestException e) {
            throw new UserException(model.fileName() + ": " + e.getMessage());
        }
    }

    /** Refuses an output that predict cannot read: any rank but 2, 3 and 4, or no values (a dimension of 0). */
    static void requireReadable(OnnxModel model, TensorValue output) {
        long[] shape = output.shape();
        if (shape.length < 2 || shape.length > 4 || Arrays.stream(shape).anyMatch(d -> d == 0)) {
            throw new UserException(model.fileName() + ": output '" + output.name() + "' has shape "
                    + Arrays.toString(shape) + "; predict reads [N,K] (classes), [N,K,H,W] or [N,H,W,K] (segmentation), "
                    + "[N,T,K] or [T,N,K] (sequences)");
        }
    }

    static void print(OnnxModel model, TensorValue output, OutputLayout layout, int top, boolean json,
            PrintWriter out) {
        long[] shape = output.shape();
        if (layout.kind() == OutputLayout.Kind.SEGMENTATION) {
            List<PositionPredictions.ClassShare> shares = PositionPredictions.segmentation(model, output, layout, top);
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
        PositionPredictions.Sequence seq = PositionPredictions.sequence(model, output, layout);
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
