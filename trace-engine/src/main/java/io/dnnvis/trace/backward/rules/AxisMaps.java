package io.dnnvis.trace.backward.rules;

import io.dnnvis.trace.backward.graph.GraphEmitter;

/**
 * Linear maps that act along one axis at a time (slicing, padding, nearest/linear resizing,
 * centre/spread unpooling). A map is a matrix {@code m[out][in]}: {@code y[o] = sum_i m[o][i] x[i]}
 * along that axis; its adjoint sends a signal back with {@code x'[i] = sum_o m[o][i] y'[o]}.
 */
final class AxisMaps {

    private AxisMaps() {
    }

    /**
     * Applies the adjoint of {@code m} along {@code axis} of {@code signal} (axis counted in the
     * signal's own rank, i.e. forward axis + 1).
     */
    static String adjoint(GraphEmitter emit, String signal, int rank, int axis, float[][] m) {
        int out = m.length;
        int in = m[0].length;
        if (axis == rank - 1) {
            return emit.matmul(signal, emit.constant(new long[] {out, in}, flatten(m)));
        }
        if (axis == rank - 2) {
            return emit.matmul(emit.constant(new long[] {in, out}, flatten(transpose(m))), signal);
        }
        long[] perm = new long[rank];
        for (int k = 0; k < rank; k++) {
            perm[k] = k;
        }
        perm[axis] = rank - 1;
        perm[rank - 1] = axis;
        String moved = emit.transpose(signal, perm);
        String mapped = emit.matmul(moved, emit.constant(new long[] {out, in}, flatten(m)));
        return emit.transpose(mapped, perm);
    }

    /** Whether {@code m} is the identity (then there is nothing to emit). */
    static boolean isIdentity(float[][] m) {
        if (m.length != m[0].length) {
            return false;
        }
        for (int o = 0; o < m.length; o++) {
            for (int i = 0; i < m[o].length; i++) {
                if (m[o][i] != (o == i ? 1f : 0f)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The 0/1 matrix of a gather: output {@code o} reads input {@code index[o]} (-1: reads nothing). */
    static float[][] gather(int[] index, int inLength) {
        float[][] m = new float[index.length][inLength];
        for (int o = 0; o < index.length; o++) {
            if (index[o] >= 0) {
                m[o][index[o]] = 1f;
            }
        }
        return m;
    }

    static float[] flatten(float[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int r = 0; r < m.length; r++) {
            System.arraycopy(m[r], 0, out, r * m[0].length, m[0].length);
        }
        return out;
    }

    static float[][] transpose(float[][] m) {
        float[][] t = new float[m[0].length][m.length];
        for (int r = 0; r < m.length; r++) {
            for (int c = 0; c < m[0].length; c++) {
                t[c][r] = m[r][c];
            }
        }
        return t;
    }
}
