package io.dnnvis.methods.occlusion;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Memo;
import io.dnnvis.trace.ModelRefusedException;
import io.dnnvis.trace.ModelRewrites;
import io.dnnvis.trace.NativeTensor;
import io.dnnvis.trace.OrtSessions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX Runtime sessions of incremental occlusion on one model, each opened the first time it is
 * needed and kept until {@link #close()}: per {@link PatchStep} its small graph, per watched tensor the
 * forward pass that caches every tensor of the unoccluded image, per (frontier, watched tensor) the
 * rest of the graph computed in full from the frontier. Their inputs have symbolic shapes, so one
 * session serves every patch size and batch. Thread-safe.
 */
final class PatchSessions implements AutoCloseable {

    /** A float tensor to feed: values and shape. */
    record Feed(float[] values, long[] shape) {
    }

    /** The rest of the graph from a frontier: its session and its inputs (frontier tensors it reads). */
    record Tail(OrtSession session, List<String> inputs) {
    }

    private final OnnxModel model;
    private final EngineOptions options;
    private final Memo<String, OrtSession> steps = new Memo<>();
    private final Memo<List<String>, OrtSession> caches = new Memo<>();
    private final Memo<List<String>, Tail> tails = new Memo<>();

    PatchSessions(OnnxModel model, EngineOptions options) {
        this.model = model;
        this.options = options;
    }

    /** Whether {@code step}'s session is open (a first run opens it). */
    boolean isOpen(PatchStep step) {
        return steps.has(step.key());
    }

    /** Runs a step's graph on its inputs; the output patch. One session per step serves every crop shape and batch. */
    float[] runStep(PatchStep step, Map<String, Feed> feeds) {
        List<long[]> channels = step.head().pathInputs().stream().map(t -> feeds.get(t).shape()).toList();
        OrtSession session = steps.get(step.key(), k -> OrtSessions.createWithoutSpinning(step.model(model, channels),
                options, model.path()));
        return run(session, feeds, List.of(step.output())).get(step.output()).values();
    }

    /**
     * The values of {@code tensors} (the first one the watched tensor) for one image: one forward pass
     * of the graph cut at {@code tensors.get(0)}, every other tensor exposed too.
     */
    Map<String, Feed> cache(List<String> tensors, String input, Feed image) {
        OrtSession session = caches.get(List.copyOf(tensors), k -> OrtSessions.createWithoutSpinning(
                ModelRewrites.exposeOutputs(ModelRewrites.truncate(model, tensors.get(0)), tensors.subList(1,
                        tensors.size())), options, model.path()));
        return run(session, Map.of(input, image), tensors);
    }

    /** The graph from {@code frontier} (tensors fed in full) to {@code target}; null when it needs no frontier tensor. */
    Tail tail(List<String> frontier, String target) {
        List<String> key = new ArrayList<>(frontier);
        key.add(target);
        return tails.get(key, k -> openTail(new HashSet<>(frontier), target));
    }

    /** Runs a tail on full tensors; the target's values and shape. */
    Feed runTail(Tail tail, Map<String, Feed> feeds, String target) {
        return run(tail.session(), feeds, List.of(target)).get(target);
    }

    private Tail openTail(Set<String> frontier, String target) {
        Graph graph = model.graph();
        List<Node> keep = graph.nodesFeeding(target, frontier);
        Set<String> inputs = new HashSet<>();
        keep.forEach(n -> n.inputs().stream().filter(frontier::contains).forEach(inputs::add));
        GraphProto source = model.runtimeProto().getGraph();
        GraphProto.Builder g = GraphProto.newBuilder().setName("tail");
        Set<String> used = new HashSet<>();
        for (Node n : keep) {
            NodeProto p = source.getNode(n.fileIndex());
            g.addNode(p);
            used.addAll(p.getInputList());
        }
        List<String> ordered = frontier.stream().filter(inputs::contains).sorted().toList();
        for (String in : ordered) {
            g.addInput(PatchStep.floatInput(in, null));
        }
        Set<String> constants = new HashSet<>();
        for (String t : used) {
            if (graph.isInitializer(t) && !inputs.contains(t)) {
                constants.add(t);
            }
        }
        PatchStep.addConstants(model, source, constants, g);
        g.addOutput(ValueInfoProto.newBuilder().setName(target));
        ModelProto proto = model.runtimeProto().toBuilder().clearMetadataProps().setGraph(g).build();
        OrtSession session = OrtSessions.createWithoutSpinning(proto, options, model.path());
        return new Tail(session, ordered);
    }

    private Map<String, Feed> run(OrtSession session, Map<String, Feed> feeds, List<String> outputs) {
        Map<String, NativeTensor> natives = new LinkedHashMap<>();
        try {
            Map<String, OnnxTensor> in = new LinkedHashMap<>();
            for (Map.Entry<String, Feed> e : feeds.entrySet()) {
                Feed f = e.getValue();
                NativeTensor t = NativeTensor.of(f.values(), 0, f.values().length, f.shape());
                natives.put(e.getKey(), t);
                in.put(e.getKey(), t.tensor());
            }
            try (OrtSession.Result r = session.run(in, new HashSet<>(outputs))) {
                Map<String, Feed> out = new LinkedHashMap<>();
                for (String name : outputs) {
                    OnnxValue v = r.get(name).orElseThrow();
                    java.nio.FloatBuffer b = ((OnnxTensor) v).getFloatBuffer();
                    float[] values = new float[b.remaining()];
                    b.get(values);
                    out.put(name, new Feed(values, ((OnnxTensor) v).getInfo().getShape()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new ModelRefusedException(model.path() + ": ONNX Runtime failed an incremental occlusion run: "
                    + e.getMessage().replaceAll("\\s+", " "), e);
        } finally {
            natives.values().forEach(NativeTensor::close);
        }
    }

    @Override
    public void close() {
        steps.values().forEach(OrtSessions::closeQuietly);
        caches.values().forEach(OrtSessions::closeQuietly);
        tails.values().forEach(t -> OrtSessions.closeQuietly(t.session()));
    }
}
