package io.dnnvis.trace.backward;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.NativeTensor;
import io.dnnvis.trace.OrtTensors;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.graph.GraphOutput;
import io.dnnvis.trace.backward.graph.PhaseLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs one compiled backward graph on one input for a set of selections: in chunks of at most a
 * given number of signals, the first source's signal written by ONNX Runtime straight into the result
 * (interleaved on the host where the graph holds it as phases), the chunks joined in order.
 */
final class GraphRun {

    private final CompiledBackward g;
    private final OrtSession session;
    private final String modelPath;

    GraphRun(CompiledBackward graph, OrtSession session, String modelPath) {
        this.g = graph;
        this.session = session;
        this.modelPath = modelPath;
    }

    /**
     * @param fed the selections, in the kind the graph takes
     * @param limit signals per ONNX Runtime run at most
     * @param firstShape one signal's shape at the first source, {@code [N, ...]}
     * @param later computes the target's value where the graph leaves it out
     */
    BackwardResult run(TensorValue input, Selections fed, int limit, long[] firstShape, Supplier<TensorValue> later) {
        int count = fed.count();
        GraphOutput first = g.sourceOutputs().get(0);
        int perSignal = Math.toIntExact(Arrays.stream(firstShape).reduce(1, Math::multiplyExact));
        float[] reconstruction = new float[Math.multiplyExact(perSignal, count)];
        List<Chunk> parts = new ArrayList<>();
        for (int from = 0; from < count; from += limit) {
            int to = Math.min(count, from + limit);
            parts.add(execute(input, fed, from, to, firstShape, reconstruction, from * perSignal));
        }
        long[] allShape = firstShape.clone();
        allShape[0] = (long) count * firstShape[0];
        return merge(TensorValue.owning(first.tensor(), allShape, reconstruction), parts, later);
    }

    /**
     * One run for selections {@code [from, to)}; the first source's signal (one signal's shape:
     * {@code firstShape}) goes straight from ONNX
     * Runtime's output buffer into {@code reconstruction} at {@code offset} (interleaved from its
     * phases where the graph leaves that to the host), the chunk holds the rest.
     */
    private Chunk execute(TensorValue input, Selections selections, int from, int to, long[] firstShape,
            float[] reconstruction, int offset) {
        int b = to - from;
        GraphOutput first = g.sourceOutputs().get(0);
        PhaseLayout phases = first.layout();
        long[] outputShape = firstShape.clone();
        outputShape[0] = b * firstShape[0];
        if (phases != null) {
            outputShape = phases.phaseShape(b);
        }
        try (NativeTensor image = NativeTensor.of(input);
                Selections.Feed feed = selections.feed(from, to);
                NativeTensor out = NativeTensor.output(outputShape)) {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put(g.imageInput(), image.tensor());
            feeds.put(g.start().selection(), feed.selection());
            if (g.startsFromChannel()) {
                feeds.put(g.start().channel(), feed.channels());
            }
            Set<String> fetch = new LinkedHashSet<>();
            g.outputs().stream().map(GraphOutput::tensor).filter(t -> !t.equals(first.tensor())).forEach(fetch::add);
            try (OrtSession.Result result = session.run(feeds, fetch, Map.of(first.tensor(), out.tensor()))) {
                if (phases != null) {
                    phases.interleave(out.values(), b, reconstruction, offset);
                } else {
                    out.copyTo(reconstruction, offset);
                }
                Map<String, TensorValue> values = new LinkedHashMap<>();
                for (String t : fetch) {
                    values.put(t, copy(t, result));
                }
                return new Chunk(values);
            }
        } catch (OrtException e) {
            throw new EngineException(modelPath + ": ONNX Runtime failed to run the backward graph: "
                    + e.getMessage().replaceAll("\\s+", " "), e);
        }
    }

    /** The outputs of one run other than the first source's, by output name. */
    private record Chunk(Map<String, TensorValue> values) {
    }

    /** The runs over consecutive groups of start signals as one result (the target is the same in each). */
    private BackwardResult merge(TensorValue reconstruction, List<Chunk> parts, Supplier<TensorValue> later) {
        Map<String, TensorValue> sources = new LinkedHashMap<>();
        List<GraphOutput> sourceOutputs = g.sourceOutputs();
        sources.put(sourceOutputs.get(0).about(), reconstruction.withName(sourceOutputs.get(0).about()));
        for (GraphOutput o : sourceOutputs.subList(1, sourceOutputs.size())) {
            sources.put(o.about(), joined(parts, o.tensor()).withName(o.about()));
        }
        Map<String, TensorValue> signals = new LinkedHashMap<>();
        g.signalOutputs().forEach((tensor, output) -> signals.put(tensor, joined(parts, output).withName(tensor)));
        String targetOutput = g.targetOutput();
        TensorValue targetValue = targetOutput.isEmpty() ? null : parts.get(0).values().get(targetOutput);
        Map<String, TensorValue> values = new LinkedHashMap<>();
        g.sourceValueOutputs().forEach(o -> values.put(o.about(), parts.get(0).values().get(o.tensor())));
        return BackwardResult.of(reconstruction, sources, values, signals, targetValue, later);
    }

    private static TensorValue joined(List<Chunk> parts, String output) {
        return TensorValue.concatFirstAxis(parts.stream().map(p -> p.values().get(output)).toList());
    }

    private static TensorValue copy(String name, OrtSession.Result result) {
        OnnxValue v = result.get(name).orElseThrow(() -> new EngineException("no output '" + name + "'"));
        return OrtTensors.copy(name, (OnnxTensor) v);
    }
}
