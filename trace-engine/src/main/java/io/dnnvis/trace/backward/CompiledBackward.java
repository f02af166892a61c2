package io.dnnvis.trace.backward;

import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.trace.backward.graph.GraphOutput;
import io.dnnvis.trace.backward.graph.StartInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled backward graph: the forward graph truncated at the target plus the inverse chain, and
 * how to feed and read it.
 *
 * @param model the ONNX model ONNX Runtime runs
 * @param imageInput the model input
 * @param inputShape the static input shape it was compiled for
 * @param start how the start signals are fed
 * @param targetTensor the forward tensor whose neurons start the signal
 * @param targetShape its static shape
 * @param outputs what the graph's outputs hold
 * @param passes the rewrite passes that changed the graph, in order
 * @param dependsOnSignalCount whether a pass chose its form by the number of signals per run; when
 *     not, the graph compiled for one signal and the one compiled for many are the same
 */
public record CompiledBackward(ModelProto model, String imageInput, long[] inputShape, StartInput start,
        String targetTensor, long[] targetShape, List<GraphOutput> outputs, List<String> passes,
        boolean dependsOnSignalCount) {

    public CompiledBackward {
        inputShape = inputShape.clone();
        targetShape = targetShape.clone();
        outputs = List.copyOf(outputs);
        passes = List.copyOf(passes);
    }

    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    @Override
    public long[] targetShape() {
        return targetShape.clone();
    }

    /** Whether each selection is one channel, fed by {@link StartInput#channel}. */
    public boolean startsFromChannel() {
        return start.oneChannel();
    }

    /** The outputs holding the signal at the sources, in the spec's order (the model input first by default). */
    public List<GraphOutput> sourceOutputs() {
        return outputs.stream().filter(o -> o.role() == GraphOutput.Role.SOURCE_SIGNAL).toList();
    }

    /** The output holding the target's forward value, or "" when the graph leaves it out. */
    public String targetOutput() {
        return outputs.stream().filter(o -> o.role() == GraphOutput.Role.TARGET).map(GraphOutput::tensor)
                .findFirst().orElse("");
    }

    /** The outputs holding the forward values of the sources (not the model input, not the target). */
    public List<GraphOutput> sourceValueOutputs() {
        return outputs.stream().filter(o -> o.role() == GraphOutput.Role.SOURCE_VALUE).toList();
    }

    /** Forward tensor to the output holding its recorded signal ({@code [B] ++ shape}). */
    public Map<String, String> signalOutputs() {
        Map<String, String> out = new LinkedHashMap<>();
        outputs.stream().filter(o -> o.role() == GraphOutput.Role.RECORDED_SIGNAL)
                .forEach(o -> out.put(o.about(), o.tensor()));
        return out;
    }

    /** The output holding the signal at the first source. */
    public String reconstructionOutput() {
        return sourceOutputs().get(0).tensor();
    }
}
