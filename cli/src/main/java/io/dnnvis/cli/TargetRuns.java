package io.dnnvis.cli;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.Reconstruction;
import io.dnnvis.methods.TargetRequest;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.Target;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.StartSignal;
import io.dnnvis.trace.backward.rules.Pooling;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** {@code visualize --target}: one reconstruction per method, of the gradient of the target's score. */
final class TargetRuns {

    private final Visualizer vis;
    private final Target target;
    private final String layer;
    private final Pooling pooling;
    private final StartSignal start;
    private final Gates gates;
    private final PrintWriter out;

    TargetRuns(Visualizer vis, Target target, String layer, Pooling pooling, StartSignal start, Gates gates,
            PrintWriter out) {
        this.vis = vis;
        this.target = target;
        this.layer = layer;
        this.pooling = pooling;
        this.start = start;
        this.gates = gates;
        this.out = out;
    }

    /** Refuses option combinations of {@code visualize}: --neuron or --target, --layer where needed, no --yx with --target. */
    static void checkOptions(Target target, boolean neuron, boolean layer, boolean yx) {
        if (target == null && !neuron) {
            throw new UserException("give --neuron N[,N...]|all|top:K (with --layer) or --target TARGET");
        }
        if (target != null && neuron) {
            throw new UserException("--neuron and --target exclude each other: a target names its own elements"
                    + " (neuron:C[,Y,X] for a channel of --layer)");
        }
        if (target != null && yx) {
            throw new UserException("--yx is for --neuron; with --target give neuron:C,Y,X");
        }
        if ((target == null || target.needsLayer()) && !layer) {
            throw new UserException("--layer is required (except with --target class:K or output:NAME[...])");
        }
    }

    /**
     * Checks the target, prints the top classes of a classifier, then runs every method, putting
     * each result into {@code results} and handing it to {@code check}.
     */
    void run(List<BackwardMethod> methods, TensorValue input, OnnxModel model, Map<BackwardMethod, Reconstruction> results,
            Consumer<Reconstruction> check) {
        List<TargetRequest> requests = new ArrayList<>();
        for (BackwardMethod m : methods) {
            requests.add(new TargetRequest(m, target, Optional.ofNullable(layer), pooling, start, gates));
        }
        vis.check(requests.get(0), input); // a target that does not exist, or a softmax sum: refused before any output
        if (PredictCommand.classifies(model)) {
            PredictCommand.print(PredictCommand.predict(model, vis.tracer(), input, 5), out);
        }
        for (TargetRequest request : requests) {
            long t0 = System.nanoTime();
            Reconstruction r = vis.run(request, input);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            results.put(request.method(), r);
            Layer l = r.layer();
            out.printf("%s %s of %s (%s): started from the gradient of its score, start %s, in %d ms%n", request.method().label(),
                    target, l.alias().isEmpty() ? l.tensor() : l.alias() + " " + l.tensor(), l.op(), start.label(), ms);
            check.accept(r);
        }
    }
}
