package io.dnnvis.trace.backward.graph;

/**
 * How a compiled graph takes its B start signals.
 *
 * @param selection the float input of the selections, {@code [B] ++ selectionShape}
 * @param selectionShape the target's shape, or with one channel when {@code channel} is set
 * @param channel the int64 input {@code [B, N]} of each selection's channel in each image, or "" when
 *     the selections hold every channel of the target
 */
public record StartInput(String selection, long[] selectionShape, String channel) {

    public StartInput {
        selectionShape = selectionShape.clone();
    }

    @Override
    public long[] selectionShape() {
        return selectionShape.clone();
    }

    /** Whether each selection is one channel, given by {@link #channel}. */
    public boolean oneChannel() {
        return !channel.isEmpty();
    }
}
