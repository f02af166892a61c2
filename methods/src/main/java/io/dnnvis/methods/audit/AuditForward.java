package io.dnnvis.methods.audit;

import io.dnnvis.methods.PositionPredictions;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ClassLabels;
import io.dnnvis.methods.core.OutputLayout;
import io.dnnvis.trace.BatchedForward;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private final Optional<OutputLayout> outputLayout;
    private final int perImage;
    private final int batchSize;

    private AuditForward(BatchedForward forward, AuditRequest request, List<String> tensors, List<String> labels,
            String output, Optional<OutputLayout> outputLayout, int perImage) {
        this.forward = forward;
        this.request = request;
        this.tensors = tensors;
        this.labels = labels;
        this.output = output;
        this.outputLayout = outputLayout;
        this.perImage = perImage;
        this.batchSize = forward.batchable() ? request.batch() : 1;
    }

    /** The step for {@code layers} (from {@link Audit#layers()}) with inputs of {@code inputShape}. */
    public static AuditForward open(Visualizer vis, EngineOptions engine, AuditRequest request, long[] inputShape,
            List<AuditLayer> layers) {
        List<String> tensors = layers.stream().map(AuditLayer::tensor).toList();
        int perImage = (int) Arrays.stream(inputShape).reduce(1, Math::multiplyExact);
        Optional<OutputLayout> outputLayout;
        try {
            outputLayout = Optional.of(vis.outputLayout(inputShape));
        } catch (BadRequestException unread) {
            outputLayout = Optional.empty(); // the layers are audited all the same; no image gets a class
        }
        BatchedForward forward = BatchedForward.open(vis.model(), tensors, inputShape, engine);
        return new AuditForward(forward, request, tensors, ClassLabels.of(vis.model()),
                vis.model().graph().outputs().get(0).name(), outputLayout, perImage);
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
     * Each image's top class ({@link Prediction}) as the output's {@link OutputLayout} says: the largest
     * score of a class vector; the class that wins most pixels of a segmentation output; the greedy CTC
     * decoding of a sequence output; none (-1, no label, score NaN) of an output that is none of these.
     */
    private void predict(TensorValue out, List<String> names, List<Prediction> into) {
        if (outputLayout.isEmpty()) {
            names.forEach(name -> into.add(new Prediction(name, -1, "", Float.NaN, request.labels().labelOf(name))));
            return;
        }
        float[] data = out.data();
        OutputLayout.Reading reading = outputLayout.get().reading(out.shape());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String truth = request.labels().labelOf(name);
            switch (outputLayout.get().kind()) {
                case SEGMENTATION -> {
                    int[] pixels = PositionPredictions.winningPixels(data, reading, i);
                    int best = 0;
                    for (int k = 1; k < pixels.length; k++) {
                        if (pixels[k] > pixels[best]) {
                            best = k;
                        }
                    }
                    into.add(new Prediction(name, best, label(best), pixels[best] / (float) reading.positions(), truth));
                }
                case SEQUENCE -> {
                    List<Integer> top = PositionPredictions.topOfEachStep(data, reading, i);
                    double sum = 0;
                    for (int t = 0; t < top.size(); t++) {
                        sum += reading.score(data, i, t, top.get(t));
                    }
                    String text = String.join(" ", PositionPredictions.greedyCtc(top).stream().map(this::label).toList());
                    into.add(new Prediction(name, -1, text, (float) (sum / top.size()), truth));
                }
                case CLASSES -> {
                    int best = reading.topClass(data, i, 0);
                    into.add(new Prediction(name, best, label(best), reading.score(data, i, 0, best), truth));
                }
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
