package io.dnnvis.trace.backward;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Shared helpers of the backward tests: small-graph building, forward runs, vector algebra. */
final class BackwardTestSupport {

    private BackwardTestSupport() {
    }

    /** A model under construction plus a generator for its constants, with fresh constant names. */
    static final class G {
        final ModelBuilder b;
        final Random rnd;
        private int counter;

        G(ModelBuilder b, Random rnd) {
            this.b = b;
            this.rnd = rnd;
        }

        long opset() {
            return b.opset();
        }

        /** Uniform in [-scale, scale]. */
        String rand(double scale, long... dims) {
            return b.randomInitializer("c" + (counter++), rnd, scale, dims);
        }

        /** Uniform in [lo, hi]. */
        String uniform(float lo, float hi, long... dims) {
            int n = (int) count(dims);
            float[] v = new float[n];
            for (int k = 0; k < n; k++) {
                v[k] = lo + (hi - lo) * rnd.nextFloat();
            }
            return floats(dims, v);
        }

        String floats(long[] dims, float... values) {
            return b.initializer("f" + (counter++), dims, values);
        }

        String scalar(float value) {
            return floats(new long[0], value);
        }

        String longs(long... values) {
            return b.initializerLongs("i" + (counter++), new long[] {values.length}, values);
        }

        String op(String type, List<String> inputs, AttributeProto... attributes) {
            return b.node(type, inputs, attributes);
        }

        String op(String type, String input, AttributeProto... attributes) {
            return b.node(type, List.of(input), attributes);
        }

        List<String> ops(String type, List<String> inputs, int outputs, AttributeProto... attributes) {
            return b.nodeMulti(type, inputs, outputs, attributes);
        }
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    static float[] uniform(Random rnd, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = lo + (hi - lo) * rnd.nextFloat();
        }
        return v;
    }

    /** x + t v, in float32. */
    static float[] axpy(float[] x, double t, float[] v) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (float) (x[k] + t * v[k]);
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        check(a.length == b.length, "lengths " + a.length + " vs " + b.length);
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (double) a[k] * b[k];
        }
        return s;
    }

    static double dot(double[] a, float[] b) {
        check(a.length == b.length, "lengths " + a.length + " vs " + b.length);
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    /** sum |a_k b_k|: the scale against which a dot product's rounding is judged. */
    static double absDot(double[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += Math.abs(a[k] * b[k]);
        }
        return s;
    }

    static double absDot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += Math.abs((double) a[k] * b[k]);
        }
        return s;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Row {@code k} of a [B, ...] tensor. */
    static float[] row(TensorValue t, int k, int per) {
        return Arrays.copyOfRange(t.data(), k * per, (k + 1) * per);
    }

    static List<float[]> rows(TensorValue t, int b) {
        int per = t.data().length / b;
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < b; k++) {
            out.add(row(t, k, per));
        }
        return out;
    }

    /** Fails unless {@code |got[i] - want[i]| <= 1e-5 max|want|} for every i. */
    static void assertCloseToScale(float[] got, float[] want, String what) {
        double bound = 1e-5 * maxAbs(want) + 1e-30;
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(got[i] - want[i]) > bound) {
                throw new AssertionError(what + ", element " + i + ": " + got[i] + " vs " + want[i] + " (bound "
                        + bound + ")");
            }
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
