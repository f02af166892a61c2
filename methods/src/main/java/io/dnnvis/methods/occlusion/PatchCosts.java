package io.dnnvis.methods.occlusion;

import io.dnnvis.onnx.ConstantValues;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an incremental sweep costs against the full recompute, estimated in multiply-adds, so that
 * {@link IncrementalPlan} can choose where patching stops (issue 22: "choose per layer by cost").
 * A step costs its convolutions' multiply-adds on each window's own box, the values it moves (the
 * crops gathered from the cache and handed to ONNX Runtime, the patch handed back) and a fixed cost
 * per run; the rest of the graph, run in full, costs its multiply-adds per window and the assembly of
 * its frontier tensors (the cache with the patches written in); the sessions a run has to open
 * count too, shared by its windows. Elementwise ops inside one graph are counted for neither side.
 *
 * <p>The weights of moved values are measured (2 threads, docs/performance.md "Choosing where
 * patching stops"): ONNX Runtime's convolutions ran at about 170 GMAC/s in full and in patches
 * alike; moving a value cost about 2.5 ns gathered, 1.5 ns handed back, 3.5 ns assembled, a run about
 * 0.12 ms, opening a step's session about 60 ms: at 170 GMAC/s, the multiply-adds below.
 */
final class PatchCosts {

    /** Multiply-adds that cost as much as one value gathered into a crop and handed to ONNX Runtime. */
    static final double GATHERED = 425;
    /** ... as one value of a patch handed back. */
    static final double RETURNED = 255;
    /** ... as one value of a frontier tensor assembled and handed to the rest of the graph, per window. */
    static final double ASSEMBLED = 600;
    /** ... as one ONNX Runtime run of a step. */
    static final double PER_RUN = 20e6;
    /** ... as one window's share of a step's run, in batches of 16 (the default's largest). */
    static final double PER_WINDOW_RUN = PER_RUN / 16;
    /**
     * ... as opening one step's session (a first run pays it: about 60 ms, 40 to 80 measured on
     * ResNet-50's and AlexNet's steps), shared by the windows of the run.
     */
    static final double PER_SESSION = 10e9;

    private final Graph graph;
    private final Map<String, long[]> shapes;

    PatchCosts(Graph graph, Map<String, long[]> shapes) {
        this.graph = graph;
        this.shapes = shapes;
    }

    /**
     * The multiply-adds of one window's full computation of {@code node}: Conv, Gemm and MatMul with
     * constant weights (initializers, Constant nodes as PaddlePaddle writes them, or computed from them);
     * 0 for the rest.
     */
    double fullMacs(Node node) {
        long[] out = shapes.get(node.output());
        String w = node.input(1);
        if (!Set.of("Conv", "Gemm", "MatMul").contains(node.opType())) {
            return 0;
        }
        long[] dims = !PatchRule.isConstant(graph, w) ? null
                : ConstantValues.of(graph).tensor(w).map(Tensor::dims).orElseGet(() -> shapes.get(w));
        if (out == null || dims == null) {
            return 0;
        }
        return switch (node.opType()) {
            case "Conv" -> out.length == 4 && dims.length == 4
                    ? (double) out[1] * dims[1] * dims[2] * dims[3] * out[2] * out[3] : 0;
            case "Gemm", "MatMul" -> dims.length == 2 ? (double) count(out) * (node.opType().equals("Gemm")
                    && node.intAttribute("transB", 0) != 0 ? dims[1] : dims[0]) : 0;
            default -> 0;
        };
    }

    /** The multiply-adds of {@code node} on each window's own box of {@code layout}, averaged over the windows. */
    double patchedMacs(Node node, PatchLayout layout) {
        long[] shape = layout.shape();
        return fullMacs(node) * meanArea(layout) / ((double) shape[layout.rowAxis()] * shape[layout.colAxis()]);
    }

    /**
     * One window's cost of {@code step}, averaged over the windows: its convolutions on each window's
     * own box, its crops gathered and handed over, its patch handed back.
     */
    double step(PatchStep step, Map<String, PatchLayout> layouts) {
        double cost = 0;
        for (PatchRule r : step.rules()) {
            PatchLayout out = layouts.get(r.node().output());
            cost += out == null ? 0 : patchedMacs(r.node(), out);
        }
        PatchLayout out = layouts.get(step.output());
        PatchRule head = step.head();
        for (String t : head.pathInputs()) {
            long[] inShape = shapes.get(t);
            double read = 0;
            for (int k = 0; k < out.heights().length; k++) {
                read += head.reads(out.box(k, out.heights()[k], out.widths()[k]), inShape).count();
            }
            cost += GATHERED * read / out.heights().length;
        }
        return cost + RETURNED * meanArea(out) * channels(out);
    }

    /**
     * One window's cost of the rest of the graph in full after the patched {@code nodes} (the tensors
     * in {@code produced}): its multiply-adds, and its frontier (the produced tensors it reads)
     * assembled; with nothing left, the watched tensor assembled.
     */
    double tail(List<Node> pathNodes, Set<Node> patched, Set<String> produced, String target) {
        double cost = 0;
        Set<String> frontier = new HashSet<>();
        for (Node n : pathNodes) {
            if (patched.contains(n)) {
                continue;
            }
            cost += fullMacs(n);
            for (String in : n.inputs()) {
                if (produced.contains(in)) {
                    frontier.add(in);
                }
            }
        }
        if (frontier.isEmpty() && produced.contains(target)) {
            frontier.add(target);
        }
        for (String t : frontier) {
            cost += ASSEMBLED * count(shapes.get(t));
        }
        return cost;
    }

    private static double meanArea(PatchLayout l) {
        double area = 0;
        for (int k = 0; k < l.heights().length; k++) {
            area += (double) l.heights()[k] * l.widths()[k];
        }
        return area / l.heights().length;
    }

    /** The values of a patch per row and column: every axis but the batch, the rows and the columns. */
    private static double channels(PatchLayout l) {
        double c = 1;
        for (int a = 1; a < l.shape().length; a++) {
            if (a != l.rowAxis() && a != l.colAxis()) {
                c *= l.shape()[a];
            }
        }
        return c;
    }

    private static double count(long[] shape) {
        double n = 1;
        for (int a = 1; a < shape.length; a++) {
            n *= shape[a];
        }
        return n;
    }
}
