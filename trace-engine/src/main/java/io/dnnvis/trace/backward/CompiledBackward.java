package io.dnnvis.trace.backward;

import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import java.util.Map;

/**
 * A compiled backward graph: the forward graph truncated at the target plus the inverse chain.
 *
 * @param model the ONNX model ONNX Runtime runs
 * @param imageInput the model input the signal goes back to
 * @param inputShape the static input shape it was compiled for
 * @param selectionInput the graph input holding the B start-signal selections, shape {@code [B] ++ targetShape},
 *     or {@code [B] ++ targetShape} with one channel when the graph starts from one channel
 * @param channelInput the graph input holding the channel of each selection (int64 {@code [B]}), or ""
 *     when the selections have every channel
 * @param targetTensor the forward tensor whose neurons are visualized
 * @param targetShape its static shape
 * @param reconstructionOutput output of shape {@code [B * N, C, H, W]} (the signal at the input), or its
 *     phases when {@code reconstructionPhases} is set
 * @param reconstructionPhases how the reconstruction output holds the reconstruction as phases, which
 *     the host interleaves; null when it holds it as is
 * @param targetOutput output holding the forward value of the target tensor, or "" when the graph leaves
 *     it out (a one-channel start computes only the selected channels)
 * @param signalOutputs forward tensor name to the output holding its signal ({@code [B] ++ shape}),
 *     when signals were requested
 * @param dependsOnSignalCount whether a rule chose its form by the number of signals per run
 *     ({@link RuleContext#oneSignal}); when not, the graph compiled for one signal and the one compiled
 *     for many are the same
 */
public record CompiledBackward(
        ModelProto model,
        String imageInput,
        long[] inputShape,
        String selectionInput,
        String channelInput,
        String targetTensor,
        long[] targetShape,
        String reconstructionOutput,
        PhaseLayout reconstructionPhases,
        String targetOutput,
        Map<String, String> signalOutputs,
        boolean dependsOnSignalCount) {

    public CompiledBackward {
        inputShape = inputShape.clone();
        targetShape = targetShape.clone();
        signalOutputs = Map.copyOf(signalOutputs);
    }

    /** Whether the selections are one channel each, given by {@link #channelInput}. */
    public boolean startsFromChannel() {
        return !channelInput.isEmpty();
    }

    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    @Override
    public long[] targetShape() {
        return targetShape.clone();
    }
}
