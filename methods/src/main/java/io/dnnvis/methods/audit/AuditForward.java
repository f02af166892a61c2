package io.dnnvis.methods.audit;

import io.dnnvis.methods.PositionPredictions;
import io.dnnvis.methods.Predictions;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.ClassLabels;
import io.dnnvis.trace.BatchedForward;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The step of an audit every engine shares: a batch of decoded images through the model, one forward
 * run for all watched layers and the prediction, each unit's spatial maximum offered to its top table
 * and each image's top class recorded. Holds the native session: close it.
 */
public final class AuditForward implements AutoCloseable {

    private final BatchedForward forward;
    private final AuditRequest request;
    private final List<String> tensors;
    private final List<String> labels;
    private final String output;
    private final int perImage;
    private final int batchSize;

    private AuditForward(BatchedForward forward, AuditRequest request, List<String> tensors, List<String> labels,
            String output, int perImage) {
        this.forward = forward;
        this.request = request;
        this.tensors = tensors;
        this.labels = labels;
        this.output = output;
        this.perImage = perImage;
        this.batchSize = forward.batchable() ? request.batch() : 1;
    }

    /** The step for {@code layers} (from {@link Audit#layers()}) with inputs of {@code inputShape}. */
    public static AuditForward open(Visualizer vis, EngineOptions engine, AuditRequest request, long[] inputShape,
            List<AuditLayer> layers) {
        List<String> tensors = layers.stream().map(AuditLayer::tensor).toList();
        int perImage = (int) Arrays.stream(inputShape).reduce(1, Math::multiplyExact);
        BatchedForward forward = BatchedForward.open(vis.model(), tensors, inputShape, engine);
        return new AuditForward(forward, request, tensors, ClassLabels.of(vis.model()),
                vis.model().graph().outputs().get(0).name(), perImage);
    }

    /** Images per forward run: the request's batch, or 1 where the model's batch axis is fixed. */
    public int batchSize() {
        return batchSize;
    }

    /** Input values per image. */
    public int perImage() {
        return perImage;
    }

    /** Runs {@code names.size()} images ({@code batch}'s first values, {@link #perImage()} each) into {@code into}. */
    public void run(float[] batch, List<String> names, AuditTally into) {
        run(batch, names, into.tops(), into.predictions());
        into.counted(names.size());
    }

    void run(float[] batch, List<String> names, List<UnitTops> tops, List<Prediction> predictions) {
        if (names.isEmpty()) {
            return;
        }
        float[] in = batch.length == names.size() * perImage ? batch : Arrays.copyOf(batch, names.size() * perImage);
        Map<String, TensorValue> values = forward.run(in, names.size());
        for (int l = 0; l < tensors.size(); l++) {
            Audit.collect(tops.get(l), values.get(tensors.get(l)), names);
        }
        predict(values.get(output), names, predictions);
    }

    /**
     * Each image's top class ({@link Prediction}): the largest score of a class vector ({@code [N, K]},
     * {@code [N, K, 1, 1]}); the class that wins most pixels of a segmentation output
     * {@code [N, K, H, W]}; the greedy CTC decoding of a sequence output {@code [N, T, K]}.
     */
    private void predict(TensorValue out, List<String> names, List<Prediction> into) {
        float[] data = out.data();
        long[] shape = out.shape();
        int per = data.length / names.size();
        for (int i = 0; i < names.size(); i++) {
            int offset = i * per;
            String name = names.get(i);
            String truth = request.labels().labelOf(name);
            if (shape.length == 4 && !Predictions.isClassVector(shape)) {
                int classes = (int) shape[1];
                int plane = per / classes;
                int[] pixels = PositionPredictions.winningPixels(data, offset, classes, plane);
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    if (pixels[k] > pixels[best]) {
                        best = k;
                    }
                }
                into.add(new Prediction(name, best, label(best), pixels[best] / (float) plane, truth));
            } else if (shape.length == 3 && !Predictions.isClassVector(shape)) {
                int steps = (int) shape[1];
                int classes = (int) shape[2];
                List<Integer> top = PositionPredictions.topOfEachStep(data, offset, steps, classes);
                double sum = 0;
                for (int t = 0; t < steps; t++) {
                    sum += data[offset + t * classes + top.get(t)];
                }
                String text = String.join(" ", PositionPredictions.greedyCtc(top).stream().map(this::label).toList());
                into.add(new Prediction(name, -1, text, (float) (sum / steps), truth));
            } else {
                int best = 0;
                for (int k = 1; k < per; k++) {
                    if (data[offset + k] > data[offset + best]) {
                        best = k;
                    }
                }
                into.add(new Prediction(name, best, label(best), data[offset + best], truth));
            }
        }
    }

    private String label(int index) {
        return index < labels.size() ? labels.get(index) : Integer.toString(index);
    }

    @Override
    public void close() {
        forward.close();
    }
}
