package io.dnnvis.trace.backward.graph;

/**
 * One output of a compiled backward graph.
 *
 * @param tensor the graph output's name
 * @param role what it holds
 * @param about the forward tensor it is about: the source or recorded tensor whose signal it holds,
 *     or the target
 * @param layout for a signal held as its phases (the host interleaves them), how; null when the
 *     output holds the signal as it is
 */
public record GraphOutput(String tensor, Role role, String about, PhaseLayout layout) {

    public enum Role {
        /** The signal at a source, {@code [B * N, C, ...]} (the reconstruction, for the model input). */
        SOURCE_SIGNAL,
        /** The forward value of the target. */
        TARGET,
        /** The forward value of a source other than the model input and the target, {@code [N, ...]}. */
        SOURCE_VALUE,
        /** The signal at a tensor on the way back, {@code [B] ++ shape}, when signals are recorded. */
        RECORDED_SIGNAL
    }

    public GraphOutput {
        if (tensor == null || tensor.isEmpty() || role == null || about == null) {
            throw new IllegalArgumentException("a graph output needs a name, a role and the tensor it is about");
        }
    }

    public GraphOutput withLayout(PhaseLayout newLayout) {
        return new GraphOutput(tensor, role, about, newLayout);
    }
}
