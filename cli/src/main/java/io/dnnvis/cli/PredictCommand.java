package io.dnnvis.cli;

import io.dnnvis.methods.Predictions;
import io.dnnvis.methods.core.OutputLayout;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dnnvis predict}: the model's top classes for an image. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Print the model's top classes for an image (labels from the model's metadata when present).",
            "A segmentation output [N,K,H,W] (or [N,H,W,K] where the graph carries the image's rows and columns there): "
                + "the classes that score highest at most pixels, with their share of the map.",
            "A sequence output [N,T,K] or [T,N,K]: the top class of each step, and a greedy CTC decoding (blank 0, "
                + "repeats collapsed)."})
final class PredictCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
    Path modelFile;

    @Mixin
    ImageOptions input;

    @Option(names = "--top", defaultValue = "5", paramLabel = "K", converter = Bounded.Positive.class,
            description = "How many classes (default: ${DEFAULT-VALUE}); of a segmentation output: how many of its classes.")
    int top;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OnnxModel model = common.loadModel(modelFile);
        ImageOptions.Loaded loaded = input.load(model, spec.commandLine().getErr());
        List<Predictions.Prediction> predictions;
        PrintWriter out = spec.commandLine().getOut();
        try (Tracer tracer = Tracer.open(model, common.engineOptions())) {
            TensorValue output = tracer.run(loaded.tensor()).get(model.graph().outputs().get(0).name());
            PositionReport.requireReadable(model, output);
            ValueWarnings.warn(spec.commandLine().getErr(), "output '" + Quoted.name(output.name()) + "'",
                    output.data(), false);
            OutputLayout layout = PositionReport.layout(model, tracer, loaded.tensor(), loaded.layout());
            if (layout.kind() != OutputLayout.Kind.CLASSES) {
                PositionReport.print(model, output, layout, top, json, out);
                out.flush();
                return 0;
            }
            predictions = Predictions.top(model, output, top);
        }
        if (json) {
            out.println(Json.write(PredictionsJson.of(predictions)));
        } else {
            print(predictions, out);
        }
        out.flush();
        return 0;
    }

    /** {@code predict --json}: {@code {"predictions": [{"index", "label", "score", "probability"}, ...]}}. */
    record PredictionsJson(List<PredictionJson> predictions) {

        static PredictionsJson of(List<Predictions.Prediction> predictions) {
            return new PredictionsJson(predictions.stream()
                    .map(p -> new PredictionJson(p.index(), p.label(), p.score(), p.probability())).toList());
        }
    }

    /** One class: its index in the model output, its label, logit and softmax probability. */
    record PredictionJson(int index, String label, float score, float probability) {
    }

    /** Whether the model looks like a classifier: one output of shape [N, classes]. */
    static boolean classifies(OnnxModel model) {
        return model.graph().outputs().size() == 1
                && model.graph().outputs().get(0).shape().map(d -> d.size() == 2).orElse(false);
    }

    static List<Predictions.Prediction> predict(OnnxModel model, Tracer tracer, TensorValue input, int k) {
        String output = model.graph().outputs().get(0).name();
        return Predictions.top(model, tracer.run(input).get(output), k);
    }

    static void print(List<Predictions.Prediction> predictions, PrintWriter out) {
        out.println("prediction:");
        for (Predictions.Prediction p : predictions) {
            out.printf("  %-12s %6.2f%%  (class %d, score %.4g)%n", LayersCommand.printable(p.label()),
                    100 * p.probability(), p.index(), p.score());
        }
    }
}
