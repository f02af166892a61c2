package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.passes.PassSelection;
import io.dnnvis.trace.backward.rules.RuleSet;
import io.dnnvis.trace.backward.rules.Pooling;
import static io.dnnvis.onnx.build.OnnxProtos.floatAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static io.dnnvis.onnx.build.OnnxProtos.stringAttr;
import static io.dnnvis.trace.backward.BackwardTestSupport.absDot;
import static io.dnnvis.trace.backward.BackwardTestSupport.axpy;
import static io.dnnvis.trace.backward.BackwardTestSupport.count;
import static io.dnnvis.trace.backward.BackwardTestSupport.dot;
import static io.dnnvis.trace.backward.BackwardTestSupport.maxAbs;
import static io.dnnvis.trace.backward.BackwardTestSupport.rows;
import static io.dnnvis.trace.backward.BackwardTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardTestSupport.G;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import io.dnnvis.trace.backward.rules.ExactRules;
import io.dnnvis.trace.backward.rules.ReluRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dot-product (adjoint) test of every rule in {@link ExactRules#TABLE}: for a model whose input
 * x feeds the op, {@code <J v, w>} (J v from ONNX Runtime's own forward pass, by exact differences
 * for ops linear in x and central finite differences otherwise) must equal {@code <v, J^T w>}
 * (J^T w from the compiled backward graph, start ONES, selection w, exact rules, switch pooling).
 * Also checks centre and spread unpooling against a plain Java implementation.
 */
class RuleAdjointTest {

    /** How J v is obtained and how closely the two sides must agree. */
    enum Kind {
        /** Affine in x: (f(x + v) - f(x - v)) / 2 is exact up to rounding. */
        LINEAR(1.0, 1e-4),
        /** Piecewise linear, x away from the kinks: small central differences are exact up to rounding. */
        PIECEWISE(1e-2, 1e-3),
        /** Smooth near x: central finite differences. */
        SMOOTH(1e-3, 2e-3);

        final double eps;
        final double tol;

        Kind(double eps, double tol) {
            this.eps = eps;
            this.tol = tol;
        }
    }

    @FunctionalInterface
    interface Body {
        String build(G g, String x);
    }

    @FunctionalInterface
    interface XGen {
        float[] make(Random rnd, int n);
    }

    record Case(String name, long opset, long[] shape, Body body, Kind kind, XGen x, double tol) {

        Case kind(Kind k) {
            return new Case(name, opset, shape, body, k, x, k.tol);
        }

        Case x(XGen gen) {
            return new Case(name, opset, shape, body, kind, gen, tol);
        }

        Case tol(double t) {
            return new Case(name, opset, shape, body, kind, x, t);
        }

        /** The ops of the table this case exercises (for the coverage check). */
        Set<String> ops() {
            ModelBuilder b = ModelBuilder.create(opset);
            G g = new G(b, new Random(1));
            b.output(body.build(g, b.input("x", shape)));
            return b.build().getGraph().getNodeList().stream().map(n -> n.getOpType()).collect(Collectors.toSet());
        }

        @Override
        public String toString() {
            return name + " (opset " + opset + ")";
        }
    }

    // ---------------------------------------------------------------- x generators

    static XGen uniformX(float lo, float hi) {
        return (rnd, n) -> uniform(rnd, n, lo, hi);
    }

    /** Uniform in [-range, range], at least {@code margin} away from every kink. */
    static XGen away(float range, float margin, float... kinks) {
        return (rnd, n) -> {
            float[] v = new float[n];
            for (int k = 0; k < n; k++) {
                float t;
                boolean ok;
                do {
                    t = -range + 2 * range * rnd.nextFloat();
                    ok = true;
                    for (float kink : kinks) {
                        ok &= Math.abs(t - kink) >= margin;
                    }
                } while (!ok);
                v[k] = t;
            }
            return v;
        };
    }

    /** Distinct values 0.05 apart in random order (no ties for max pooling, none swap under the FD step). */
    static XGen distinct() {
        return (rnd, n) -> {
            List<Integer> order = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                order.add(k);
            }
            java.util.Collections.shuffle(order, rnd);
            float[] v = new float[n];
            for (int k = 0; k < n; k++) {
                v[k] = (order.get(k) - n / 2f) * 0.05f;
            }
            return v;
        };
    }

    // ---------------------------------------------------------------- case helpers

    static long[] s(long... dims) {
        return dims;
    }

    static Case c(String name, long opset, long[] shape, Body body) {
        return new Case(name, opset, shape, body, Kind.LINEAR, uniformX(-1, 1), Kind.LINEAR.tol);
    }

    static AttributeProto ints(String name, long... v) {
        return intsAttr(name, v);
    }

    static AttributeProto str(String name, String v) {
        return stringAttr(name, v);
    }

    static List<String> in(String... names) {
        return List.of(names);
    }

    static Body resize(long opset, String mode, String transform, String nearest, float[] scales, long[] sizes) {
        return (g, x) -> {
            List<AttributeProto> a = new ArrayList<>();
            a.add(str("mode", mode));
            if (transform != null) {
                a.add(str("coordinate_transformation_mode", transform));
            }
            if (nearest != null) {
                a.add(str("nearest_mode", nearest));
            }
            AttributeProto[] attrs = a.toArray(AttributeProto[]::new);
            if (opset == 10) {
                return g.op("Resize", in(x, g.floats(s(scales.length), scales)), attrs);
            }
            String roi = opset == 11 ? g.floats(s(0)) : "";
            if (sizes != null) {
                String noScales = opset == 11 ? g.floats(s(0)) : "";
                return g.op("Resize", in(x, roi, noScales, g.longs(sizes)), attrs);
            }
            return g.op("Resize", in(x, roi, g.floats(s(scales.length), scales)), attrs);
        };
    }

    // ---------------------------------------------------------------- the cases

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        all.addAll(convolutions());
        all.addAll(linearAlgebra());
        all.addAll(activations());
        all.addAll(pooling());
        all.addAll(normalization());
        all.addAll(shapes());
        all.addAll(arithmetic());
        all.addAll(unaryMath());
        all.addAll(power());
        all.addAll(reductions());
        all.addAll(resizing());
        all.addAll(layerAndGroupNormalization());
        all.addAll(dataMovement());
        all.addAll(reductionsAndVariadics());
        all.addAll(cubicResizeAndOpsetForms());
        return all.stream();
    }

    static List<Case> convolutions() {
        long[] x = s(1, 4, 7, 6);
        return List.of(
                c("Conv 3x3 pads 1", 13, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 5, 4, 3, 3), g.rand(0.5, 5)),
                        ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1))),
                c("Conv stride 2 asymmetric pads", 13, x, (g, t) -> g.op("Conv",
                        in(t, g.rand(0.5, 5, 4, 3, 3), g.rand(0.5, 5)), ints("strides", 2, 2),
                        ints("pads", 0, 1, 2, 0))),
                c("Conv group 2", 13, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 6, 2, 3, 3), g.rand(0.5, 6)),
                        intAttr("group", 2), ints("pads", 1, 1, 1, 1))),
                // the three conv backward emissions: Conv with flipped weights (stride 1, above),
                // phases (kernel >= stride), ConvTranspose (kernel < stride, opset < 11, ...)
                c("Conv 2x2 stride 2 (phases, one tap each)", 13, x, (g, t) -> g.op("Conv",
                        in(t, g.rand(0.5, 5, 4, 2, 2)), ints("strides", 2, 2))),
                c("Conv 5x5 stride 3 pads 2 (phases)", 13, s(1, 3, 11, 10), (g, t) -> g.op("Conv",
                        in(t, g.rand(0.5, 4, 3, 5, 5)), ints("strides", 3, 3), ints("pads", 2, 2, 2, 2))),
                c("Conv 1x1 stride 2 (ConvTranspose)", 13, x, (g, t) -> g.op("Conv",
                        in(t, g.rand(0.5, 5, 4, 1, 1)), ints("strides", 2, 2))),
                c("Conv 3x3 stride 2 opset 10 (ConvTranspose)", 10, x, (g, t) -> g.op("Conv",
                        in(t, g.rand(0.5, 5, 4, 3, 3)), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))),
                c("Conv depthwise multiplier 2 stride 2", 13, x, (g, t) -> g.op("Conv",
                        in(t, g.rand(0.5, 8, 1, 3, 3)), intAttr("group", 4), ints("strides", 2, 1),
                        ints("pads", 1, 1, 1, 1))),
                c("Conv dilations 2", 13, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 3, 4, 3, 3), g.rand(0.5, 3)),
                        ints("dilations", 2, 2), ints("pads", 2, 1, 0, 2))),
                c("Conv SAME_UPPER stride 2", 13, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 3, 4, 3, 3)),
                        ints("strides", 2, 2), str("auto_pad", "SAME_UPPER"))),
                c("Conv SAME_LOWER stride 2", 13, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 3, 4, 3, 3)),
                        ints("strides", 2, 2), str("auto_pad", "SAME_LOWER"))),
                c("Conv SAME_UPPER even kernel", 13, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 3, 4, 2, 4)),
                        str("auto_pad", "SAME_UPPER"))),
                c("Conv SAME_LOWER even kernel", 13, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 3, 4, 2, 2)),
                        str("auto_pad", "SAME_LOWER"))),
                c("Conv VALID stride 3", 13, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 3, 4, 3, 3), g.rand(0.5, 3)),
                        ints("strides", 3, 3), str("auto_pad", "VALID"))),
                c("Conv 2x3 kernel strides 2x1 dilations 1x2", 13, x, (g, t) -> g.op("Conv",
                        in(t, g.rand(0.5, 3, 4, 2, 3)), ints("kernel_shape", 2, 3), ints("strides", 2, 1),
                        ints("dilations", 1, 2))),
                c("Conv group 2 stride 2 dilation 2 pads", 13, s(1, 4, 9, 8), (g, t) -> g.op("Conv",
                        in(t, g.rand(0.5, 4, 2, 3, 3), g.rand(0.5, 4)), intAttr("group", 2), ints("strides", 2, 2),
                        ints("dilations", 2, 2), ints("pads", 1, 2, 0, 1))),
                c("Conv 1-D", 13, s(1, 3, 10), (g, t) -> g.op("Conv", in(t, g.rand(0.5, 4, 3, 3), g.rand(0.5, 4)),
                        ints("strides", 2), ints("pads", 1, 0))),
                c("Conv 3-D", 13, s(1, 2, 4, 5, 4), (g, t) -> g.op("Conv", in(t, g.rand(0.5, 3, 2, 2, 3, 2)),
                        ints("strides", 1, 2, 1), ints("pads", 0, 1, 0, 1, 0, 1))),
                c("Conv with computed weights", 13, x, (g, t) -> g.op("Conv", in(t,
                        g.op("Mul", in(g.rand(0.5, 5, 4, 3, 3), g.scalar(2f))), g.op("Identity", g.rand(0.5, 5))),
                        ints("pads", 1, 1, 1, 1))),
                c("Conv opset 9", 9, x, (g, t) -> g.op("Conv", in(t, g.rand(0.5, 5, 4, 3, 3), g.rand(0.5, 5)),
                        ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))),
                c("ConvTranspose stride 2 pads 1 output_padding 1", 13, s(1, 4, 4, 5), (g, t) -> g.op("ConvTranspose",
                        in(t, g.rand(0.5, 4, 3, 3, 3), g.rand(0.5, 3)), ints("strides", 2, 2),
                        ints("pads", 1, 1, 1, 1), ints("output_padding", 1, 1))),
                c("ConvTranspose group 2 stride 2", 13, s(1, 4, 4, 5), (g, t) -> g.op("ConvTranspose",
                        in(t, g.rand(0.5, 4, 2, 3, 3)), intAttr("group", 2), ints("strides", 2, 2))),
                c("ConvTranspose dilations 2 asymmetric pads", 13, s(1, 4, 4, 5), (g, t) -> g.op("ConvTranspose",
                        in(t, g.rand(0.5, 4, 2, 3, 3)), ints("dilations", 2, 2), ints("pads", 0, 1, 1, 0))),
                c("ConvTranspose output_shape", 13, s(1, 4, 4, 5), (g, t) -> g.op("ConvTranspose",
                        in(t, g.rand(0.5, 4, 3, 3, 3)), ints("strides", 2, 2), ints("output_shape", 8, 10))),
                c("ConvTranspose SAME_UPPER stride 2", 13, s(1, 4, 4, 5), (g, t) -> g.op("ConvTranspose",
                        in(t, g.rand(0.5, 4, 3, 3, 3)), ints("strides", 2, 2), str("auto_pad", "SAME_UPPER"))),
                c("ConvTranspose SAME_LOWER stride 2", 13, s(1, 4, 4, 5), (g, t) -> g.op("ConvTranspose",
                        in(t, g.rand(0.5, 4, 3, 3, 3)), ints("strides", 2, 2), str("auto_pad", "SAME_LOWER"))),
                c("ConvTranspose stride 3 output_padding 2x1", 13, s(1, 4, 4, 5), (g, t) -> g.op("ConvTranspose",
                        in(t, g.rand(0.5, 4, 2, 2, 3), g.rand(0.5, 2)), ints("strides", 3, 3),
                        ints("output_padding", 2, 1))),
                c("ConvTranspose 1-D", 13, s(1, 3, 6), (g, t) -> g.op("ConvTranspose", in(t, g.rand(0.5, 3, 2, 3)),
                        ints("strides", 2), ints("output_padding", 1))));
    }

    static List<Case> linearAlgebra() {
        long[] v = s(1, 12);
        return List.of(
                c("Gemm", 13, v, (g, t) -> g.op("Gemm", in(t, g.rand(0.5, 12, 5), g.rand(0.5, 5)))),
                c("Gemm transB alpha beta", 13, v, (g, t) -> g.op("Gemm", in(t, g.rand(0.5, 5, 12), g.rand(0.5, 1, 5)),
                        intAttr("transB", 1), floatAttr("alpha", 0.7f), floatAttr("beta", 1.3f))),
                c("Gemm transA", 13, v, (g, t) -> g.op("Gemm", in(g.op("Reshape", in(t, g.longs(4, 3))),
                        g.rand(0.5, 4, 5), g.rand(0.5)), intAttr("transA", 1), floatAttr("alpha", 2f))),
                c("Gemm signal to B", 13, v, (g, t) -> g.op("Gemm", in(g.rand(0.5, 5, 3),
                        g.op("Reshape", in(t, g.longs(3, 4))), g.rand(0.5, 4)), floatAttr("alpha", 0.5f))),
                c("Gemm signal to B transA transB", 13, v, (g, t) -> g.op("Gemm", in(g.rand(0.5, 4, 5),
                        g.op("Reshape", in(t, g.longs(3, 4)))), intAttr("transA", 1), intAttr("transB", 1))),
                c("Gemm signal to C", 13, v, (g, t) -> g.op("Gemm", in(g.rand(0.5, 3, 4), g.rand(0.5, 4, 12), t),
                        floatAttr("beta", 0.5f))),
                c("Gemm signal to C of shape [N]", 13, v, (g, t) -> g.op("Gemm", in(g.rand(0.5, 3, 4), g.rand(0.5, 4, 12),
                        g.op("Reshape", in(t, g.longs(12)))), floatAttr("beta", -2f))),
                c("Gemm signal to A and B", 13, v, (g, t) -> {
                    String r = g.op("Reshape", in(t, g.longs(3, 4)));
                    return g.op("Gemm", in(r, r, g.rand(0.5, 3, 3)), intAttr("transB", 1), floatAttr("alpha", 0.5f));
                }).kind(Kind.SMOOTH),
                c("Gemm signal to A, B and C", 13, s(1, 9), (g, t) -> {
                    String r = g.op("Reshape", in(t, g.longs(3, 3)));
                    return g.op("Gemm", in(r, r, r), intAttr("transA", 1), floatAttr("beta", 0.3f));
                }).kind(Kind.SMOOTH),
                c("MatMul rank 4 by matrix", 13, s(1, 2, 3, 4), (g, t) -> g.op("MatMul", in(t, g.rand(0.5, 4, 5)))),
                c("MatMul broadcast batch of A", 13, s(1, 3, 4), (g, t) -> g.op("MatMul", in(t, g.rand(0.5, 2, 1, 4, 5)))),
                c("MatMul broadcast batch of B", 13, s(1, 4, 5), (g, t) -> g.op("MatMul", in(g.rand(0.5, 2, 3, 4), t))),
                c("MatMul both batches broadcast", 13, s(1, 2, 3, 4), (g, t) -> g.op("MatMul",
                        in(t, g.rand(0.5, 3, 1, 4, 2)))),
                c("MatMul x by its transpose", 13, s(1, 3, 4), (g, t) -> g.op("MatMul",
                        in(t, g.op("Transpose", t, ints("perm", 0, 2, 1))))).kind(Kind.SMOOTH),
                c("Einsum 1x1 conv bchw,oc->bohw", 12, s(1, 3, 4, 5), (g, t) -> g.op("Einsum",
                        in(t, g.rand(0.5, 6, 3)), str("equation", "bchw,oc->bohw"))),
                c("Einsum weights first, implicit output", 12, s(1, 3), (g, t) -> g.op("Einsum",
                        in(g.rand(0.5, 4, 1), t), str("equation", "kb,bc"))),
                c("Einsum transpose of one operand", 12, s(1, 3, 4, 5), (g, t) -> g.op("Einsum", in(t),
                        str("equation", "bchw->bhwc"))),
                c("Einsum x by itself", 12, s(1, 3, 4), (g, t) -> g.op("Einsum", in(t, t),
                        str("equation", "bij,bkj->bik"))).kind(Kind.SMOOTH));
    }

    static List<Case> activations() {
        long[] x = s(1, 3, 4, 5);
        XGen kink0 = away(1, 0.05f, 0);
        return List.of(
                c("Relu", 13, x, (g, t) -> g.op("Relu", t)).kind(Kind.PIECEWISE).x(kink0),
                c("LeakyRelu", 13, x, (g, t) -> g.op("LeakyRelu", t, floatAttr("alpha", 0.1f)))
                        .kind(Kind.PIECEWISE).x(kink0),
                c("LeakyRelu default alpha", 9, x, (g, t) -> g.op("LeakyRelu", t)).kind(Kind.PIECEWISE).x(kink0),
                c("PRelu per channel", 13, x, (g, t) -> g.op("PRelu", in(t, g.rand(1, 3, 1, 1))))
                        .kind(Kind.PIECEWISE).x(kink0),
                c("PRelu last axis", 9, x, (g, t) -> g.op("PRelu", in(t, g.rand(1, 5)))).kind(Kind.PIECEWISE).x(kink0),
                c("Clip min and max", 13, x, (g, t) -> g.op("Clip", in(t, g.scalar(-0.5f), g.scalar(0.6f))))
                        .kind(Kind.PIECEWISE).x(away(1.5f, 0.05f, -0.5f, 0.6f)),
                c("Clip max only", 13, x, (g, t) -> g.op("Clip", in(t, "", g.scalar(0.3f))))
                        .kind(Kind.PIECEWISE).x(away(1.5f, 0.05f, 0.3f)),
                c("Clip min only", 12, x, (g, t) -> g.op("Clip", in(t, g.scalar(-0.2f))))
                        .kind(Kind.PIECEWISE).x(away(1.5f, 0.05f, -0.2f)),
                c("Clip attributes", 9, x, (g, t) -> g.op("Clip", t, floatAttr("min", -0.5f), floatAttr("max", 0.6f)))
                        .kind(Kind.PIECEWISE).x(away(1.5f, 0.05f, -0.5f, 0.6f)),
                c("Sigmoid", 13, x, (g, t) -> g.op("Sigmoid", t)).kind(Kind.SMOOTH).x(uniformX(-3, 3)),
                c("Tanh", 13, x, (g, t) -> g.op("Tanh", t)).kind(Kind.SMOOTH).x(uniformX(-2, 2)),
                c("HardSigmoid", 13, x, (g, t) -> g.op("HardSigmoid", t, floatAttr("alpha", 0.3f), floatAttr("beta", 0.4f)))
                        .kind(Kind.PIECEWISE).x(away(4, 0.05f, -4f / 3, 2f)),
                c("HardSigmoid defaults", 9, x, (g, t) -> g.op("HardSigmoid", t))
                        .kind(Kind.PIECEWISE).x(away(4, 0.05f, -2.5f, 2.5f)),
                c("HardSwish", 14, x, (g, t) -> g.op("HardSwish", t)).kind(Kind.SMOOTH).x(away(5, 0.05f, -3, 3)),
                c("Elu", 13, x, (g, t) -> g.op("Elu", t, floatAttr("alpha", 0.7f))).kind(Kind.SMOOTH).x(away(2, 0.05f, 0)),
                c("Elu default alpha", 9, x, (g, t) -> g.op("Elu", t)).kind(Kind.SMOOTH).x(away(2, 0.05f, 0)),
                c("Selu", 13, x, (g, t) -> g.op("Selu", t, floatAttr("alpha", 1.3f), floatAttr("gamma", 0.8f)))
                        .kind(Kind.SMOOTH).x(away(2, 0.05f, 0)),
                c("Selu defaults", 9, x, (g, t) -> g.op("Selu", t)).kind(Kind.SMOOTH).x(away(2, 0.05f, 0)),
                c("Celu alpha 0.5", 12, x, (g, t) -> g.op("Celu", t, floatAttr("alpha", 0.5f)))
                        .kind(Kind.SMOOTH).x(away(2, 0.05f, 0)),
                c("Celu default alpha", 13, x, (g, t) -> g.op("Celu", t)).kind(Kind.SMOOTH).x(away(2, 0.05f, 0)),
                c("ThresholdedRelu alpha 0.4", 10, x, (g, t) -> g.op("ThresholdedRelu", t, floatAttr("alpha", 0.4f)))
                        .kind(Kind.PIECEWISE).x(away(2, 0.05f, 0.4f)),
                c("ThresholdedRelu default alpha", 13, x, (g, t) -> g.op("ThresholdedRelu", t))
                        .kind(Kind.PIECEWISE).x(away(3, 0.05f, 1f)),
                c("Softplus", 13, x, (g, t) -> g.op("Softplus", t)).kind(Kind.SMOOTH).x(uniformX(-3, 3)),
                c("Softplus opset 9", 9, x, (g, t) -> g.op("Softplus", t)).kind(Kind.SMOOTH).x(uniformX(-3, 3)),
                c("Softsign", 13, x, (g, t) -> g.op("Softsign", t)).kind(Kind.SMOOTH).x(away(3, 0.05f, 0)),
                c("Mish", 18, x, (g, t) -> g.op("Mish", t)).kind(Kind.SMOOTH).x(uniformX(-3, 3)),
                // the tanh form differs from the exact one by about 2e-4 (relative) here, finite differences by
                // 2e-5 to 4e-5: a tolerance of 1e-4 tells the two forms apart
                c("Gelu default approximate", 20, x, (g, t) -> g.op("Gelu", t)).kind(Kind.SMOOTH)
                        .x(uniformX(-3, 3)).tol(1e-4),
                c("Gelu approximate none", 20, x, (g, t) -> g.op("Gelu", t, str("approximate", "none")))
                        .kind(Kind.SMOOTH).x(uniformX(-3, 3)).tol(1e-4),
                c("Gelu approximate tanh", 20, x, (g, t) -> g.op("Gelu", t, str("approximate", "tanh")))
                        .kind(Kind.SMOOTH).x(uniformX(-3, 3)).tol(1e-4),
                c("Softmax opset 13 last axis", 13, x, (g, t) -> g.op("Softmax", t)).kind(Kind.SMOOTH)
                        .x(uniformX(-2, 2)),
                c("Softmax opset 13 axis 1", 13, x, (g, t) -> g.op("Softmax", t, intAttr("axis", 1))).kind(Kind.SMOOTH)
                        .x(uniformX(-2, 2)),
                c("Softmax opset 11 axis 1 (flattened)", 11, x, (g, t) -> g.op("Softmax", t, intAttr("axis", 1)))
                        .kind(Kind.SMOOTH).x(uniformX(-2, 2)),
                c("Softmax opset 11 axis -2 (flattened)", 11, x, (g, t) -> g.op("Softmax", t, intAttr("axis", -2)))
                        .kind(Kind.SMOOTH).x(uniformX(-2, 2)),
                c("Softmax opset 11 default axis", 11, x, (g, t) -> g.op("Softmax", t)).kind(Kind.SMOOTH)
                        .x(uniformX(-2, 2)),
                c("Softmax 2-D opset 9", 9, s(1, 7), (g, t) -> g.op("Softmax", t)).kind(Kind.SMOOTH)
                        .x(uniformX(-2, 2)));
    }

    static List<Case> pooling() {
        XGen d = distinct();
        Kind p = Kind.PIECEWISE;
        return List.of(
                c("MaxPool 2x2/2", 13, s(1, 3, 6, 6), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 2, 2),
                        ints("strides", 2, 2))).kind(p).x(d),
                c("MaxPool overlapping 3x3/2", 13, s(1, 2, 7, 7), (g, t) -> g.op("MaxPool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2))).kind(p).x(d),
                c("MaxPool 3x3/2 pads 1", 13, s(1, 2, 6, 6), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 3, 3),
                        ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))).kind(p).x(d),
                c("MaxPool 3x3/1 pads 1", 13, s(1, 2, 5, 6), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 3, 3),
                        ints("pads", 1, 1, 1, 1))).kind(p).x(d),
                // switch unpooling across opsets
                c("MaxPool overlapping 3x3/2 opset 16", 16, s(1, 2, 7, 7), (g, t) -> g.op("MaxPool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2))).kind(p).x(d),
                c("MaxPool 3x3/1 pads 1 opset 18", 18, s(1, 2, 5, 6), (g, t) -> g.op("MaxPool", t,
                        ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1))).kind(p).x(d),
                c("MaxPool overlapping 3x3/2 opset 10", 10, s(1, 2, 7, 7), (g, t) -> g.op("MaxPool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2))).kind(p).x(d),
                c("MaxPool 3x3/1 pads 1 opset 10", 10, s(1, 2, 5, 6), (g, t) -> g.op("MaxPool", t,
                        ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1))).kind(p).x(d),
                c("MaxPool 3x3/2 ceil_mode", 13, s(1, 2, 6, 6), (g, t) -> g.op("MaxPool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2), intAttr("ceil_mode", 1))).kind(p).x(d),
                c("MaxPool 2x2/2 ceil_mode pads", 13, s(1, 2, 7, 5), (g, t) -> g.op("MaxPool", t,
                        ints("kernel_shape", 2, 2), ints("strides", 2, 2), ints("pads", 1, 0, 0, 1),
                        intAttr("ceil_mode", 1))).kind(p).x(d),
                c("MaxPool dilations 2", 13, s(1, 2, 7, 8), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 2, 3),
                        ints("dilations", 2, 2), ints("strides", 1, 2))).kind(p).x(d),
                c("MaxPool 2x3 strides 1x2 asymmetric pads", 13, s(1, 2, 5, 7), (g, t) -> g.op("MaxPool", t,
                        ints("kernel_shape", 2, 3), ints("strides", 1, 2), ints("pads", 0, 1, 1, 0))).kind(p).x(d),
                c("MaxPool SAME_UPPER 3x3/2", 13, s(1, 2, 6, 7), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 3, 3),
                        ints("strides", 2, 2), str("auto_pad", "SAME_UPPER"))).kind(p).x(d),
                c("MaxPool SAME_LOWER 2x2/2", 13, s(1, 2, 7, 7), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 2, 2),
                        ints("strides", 2, 2), str("auto_pad", "SAME_LOWER"))).kind(p).x(d),
                c("MaxPool VALID 3x3/3", 13, s(1, 2, 7, 8), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 3, 3),
                        ints("strides", 3, 3), str("auto_pad", "VALID"))).kind(p).x(d),
                c("MaxPool with its own Indices output", 13, s(1, 2, 7, 7), (g, t) -> g.ops("MaxPool", in(t), 2,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1)).get(0)).kind(p).x(d),
                c("MaxPool opset 9", 9, s(1, 2, 7, 7), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 3, 3),
                        ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))).kind(p).x(d),
                c("AveragePool 2x2/2", 13, s(1, 3, 6, 6), (g, t) -> g.op("AveragePool", t, ints("kernel_shape", 2, 2),
                        ints("strides", 2, 2))),
                c("AveragePool 3x3/2 pads 1 count_include_pad 0", 13, s(1, 2, 7, 6), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1),
                        intAttr("count_include_pad", 0))),
                c("AveragePool 3x3/2 pads 1 count_include_pad 1", 13, s(1, 2, 7, 6), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1),
                        intAttr("count_include_pad", 1))),
                c("AveragePool ceil_mode count_include_pad 0", 13, s(1, 2, 6, 6), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2), intAttr("ceil_mode", 1))),
                c("AveragePool ceil_mode pads count_include_pad 1", 13, s(1, 2, 6, 7), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1),
                        intAttr("ceil_mode", 1), intAttr("count_include_pad", 1))),
                c("AveragePool asymmetric pads", 13, s(1, 2, 6, 7), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 2, 3), ints("strides", 1, 2), ints("pads", 1, 0, 0, 2))),
                c("AveragePool SAME_UPPER", 13, s(1, 2, 6, 7), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2), str("auto_pad", "SAME_UPPER"))),
                c("AveragePool SAME_LOWER count_include_pad 1", 13, s(1, 2, 6, 7), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 2, 2), ints("strides", 2, 2), str("auto_pad", "SAME_LOWER"),
                        intAttr("count_include_pad", 1))),
                c("AveragePool 1-D", 13, s(1, 3, 9), (g, t) -> g.op("AveragePool", t, ints("kernel_shape", 3),
                        ints("strides", 2), ints("pads", 1, 1))),
                c("AveragePool opset 9", 9, s(1, 2, 7, 6), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))),
                c("AveragePool dilations opset 19", 19, s(1, 2, 7, 8), (g, t) -> g.op("AveragePool", t,
                        ints("kernel_shape", 2, 2), ints("dilations", 2, 2), ints("pads", 1, 1, 1, 1))),
                c("GlobalAveragePool", 13, s(1, 3, 4, 5), (g, t) -> g.op("GlobalAveragePool", t)),
                c("GlobalAveragePool 1-D", 13, s(1, 3, 7), (g, t) -> g.op("GlobalAveragePool", t)),
                c("GlobalMaxPool", 13, s(1, 3, 4, 5), (g, t) -> g.op("GlobalMaxPool", t)).kind(p).x(d));
    }

    static List<Case> normalization() {
        long[] x = s(1, 3, 4, 5);
        return List.of(
                c("BatchNormalization", 13, x, (g, t) -> g.b.batchNorm(t, 3, g.rnd)),
                c("BatchNormalization opset 9", 9, x, (g, t) -> g.b.batchNorm(t, 3, g.rnd)),
                c("BatchNormalization opset 15 3-D", 15, s(1, 3, 6), (g, t) -> g.op("BatchNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 3), g.rand(1, 3), g.rand(1, 3), g.uniform(0.1f, 2f, 3)),
                        floatAttr("epsilon", 1e-3f))),
                c("InstanceNormalization", 13, x, (g, t) -> g.op("InstanceNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 3), g.rand(1, 3)))).kind(Kind.SMOOTH),
                c("InstanceNormalization 1-D epsilon", 13, s(1, 2, 7), (g, t) -> g.op("InstanceNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 2), g.rand(1, 2)), floatAttr("epsilon", 0.05f))).kind(Kind.SMOOTH),
                c("LRN odd size", 13, s(1, 7, 3, 4), (g, t) -> g.b.lrn(t, 5, 0.5f, 0.75f, 1f)).kind(Kind.SMOOTH)
                        .x(uniformX(-2, 2)),
                c("LRN size 3", 13, s(1, 7, 3, 4), (g, t) -> g.b.lrn(t, 3, 0.3f, 0.6f, 2f)).kind(Kind.SMOOTH)
                        .x(uniformX(-2, 2)),
                c("LRN size larger than the channels", 13, s(1, 3, 2, 3), (g, t) -> g.b.lrn(t, 7, 0.8f, 0.9f, 1.5f))
                        .kind(Kind.SMOOTH).x(uniformX(-2, 2)),
                c("BatchNormalization 2-D", 13, s(1, 5), (g, t) -> g.b.batchNorm(t, 5, g.rnd)),
                c("LRN AlexNet settings", 13, s(1, 6, 3, 3), (g, t) -> g.b.lrn(t, 5, 1e-4f, 0.75f, 2f))
                        .kind(Kind.SMOOTH).x(uniformX(-20, 20)));
    }

    static List<Case> shapes() {
        long[] x = s(1, 3, 4, 5);
        return List.of(
                c("Dropout", 13, x, (g, t) -> g.op("Dropout", t)),
                c("Dropout opset 9 ratio", 9, x, (g, t) -> g.op("Dropout", t, floatAttr("ratio", 0.3f))),
                c("Identity", 13, x, (g, t) -> g.op("Identity", t)),
                c("Cast to float", 13, x, (g, t) -> g.op("Cast", t, intAttr("to", 1))),
                // the type comes from the second input, here the signal's own tensor: it gets nothing through it
                c("CastLike like itself", 15, x, (g, t) -> g.op("CastLike", in(t, t))),
                c("Cast through double", 13, x, (g, t) -> g.op("Cast", g.op("Cast", t, intAttr("to", 11)),
                        intAttr("to", 1))),
                c("Flatten axis 2", 13, x, (g, t) -> g.op("Flatten", t, intAttr("axis", 2))),
                c("Flatten axis 0", 11, x, (g, t) -> g.op("Flatten", t, intAttr("axis", 0))),
                c("Reshape with 0 and -1", 13, x, (g, t) -> g.b.reshape(t, 0, 5, -1)),
                c("Reshape to 6x10", 13, x, (g, t) -> g.b.reshape(t, 6, 10)),
                c("Squeeze axes input", 13, s(1, 3, 1, 5), (g, t) -> g.op("Squeeze", in(t, g.longs(0, 2)))),
                c("Squeeze axes attribute", 11, s(1, 3, 1, 5), (g, t) -> g.op("Squeeze", t, ints("axes", -2))),
                c("Squeeze every 1", 13, s(1, 3, 1, 5), (g, t) -> g.op("Squeeze", t)),
                c("Unsqueeze axes input", 13, s(1, 3, 4), (g, t) -> g.op("Unsqueeze", in(t, g.longs(0, 3)))),
                c("Unsqueeze axes attribute", 11, s(1, 3, 4), (g, t) -> g.op("Unsqueeze", t, ints("axes", 1)))
                        ,
                c("Transpose perm", 13, x, (g, t) -> g.op("Transpose", t, ints("perm", 0, 2, 3, 1))),
                c("Transpose perm 2", 13, x, (g, t) -> g.op("Transpose", t, ints("perm", 2, 0, 3, 1))),
                c("Transpose default", 13, x, (g, t) -> g.op("Transpose", t)),
                c("Concat x, constant, x", 13, x, (g, t) -> g.op("Concat", in(t, g.rand(1, 1, 2, 4, 5), t),
                        intAttr("axis", 1))),
                c("Concat negative axis", 13, x, (g, t) -> g.op("Concat", in(g.op("Relu", g.rand(1, 1, 3, 4, 2)), t, t),
                        intAttr("axis", -1))),
                c("Split 1,2,2 take output 1", 13, s(1, 5, 4, 3),
                        (g, t) -> g.ops("Split", in(t, g.longs(1, 2, 2)), 3, intAttr("axis", 1)).get(1)),
                c("Split equal, concat outputs 2 and 0", 13, s(1, 6, 3, 2), (g, t) -> {
                    List<String> parts = g.ops("Split", in(t), 3, intAttr("axis", 1));
                    return g.op("Concat", in(parts.get(2), parts.get(0)), intAttr("axis", 1));
                }),
                c("Split attribute negative axis", 11, s(1, 2, 3, 4),
                        (g, t) -> g.ops("Split", in(t), 2, ints("split", 3, 1), intAttr("axis", -1)).get(0)),
                c("Split num_outputs uneven, outputs reused", 18, s(1, 2, 5, 3), (g, t) -> {
                    List<String> parts = g.ops("Split", in(t), 2, intAttr("num_outputs", 2), intAttr("axis", 2));
                    return g.op("Concat", in(parts.get(1), parts.get(0), parts.get(1)), intAttr("axis", 2));
                }),
                c("Slice negative start, clamped end", 13, s(1, 3, 4, 6), (g, t) -> g.op("Slice",
                        in(t, g.longs(-3), g.longs(Long.MAX_VALUE), g.longs(3)))),
                c("Slice steps 2", 13, s(1, 3, 5, 6), (g, t) -> g.op("Slice",
                        in(t, g.longs(0, 1), g.longs(4, 6), g.longs(2, 3), g.longs(2, 2)))),
                c("Slice step -1 reverses", 13, s(1, 3, 4, 5), (g, t) -> g.op("Slice",
                        in(t, g.longs(-1), g.longs(Long.MIN_VALUE), g.longs(1), g.longs(-1)))),
                c("Slice step -2 and clamped start", 13, s(1, 3, 4, 6), (g, t) -> g.op("Slice",
                        in(t, g.longs(5, -100), g.longs(1, 3), g.longs(-1, 2), g.longs(-2, 1)))),
                c("Slice without axes", 13, s(1, 3, 4, 5), (g, t) -> g.op("Slice",
                        in(t, g.longs(0, 1, 1, -4), g.longs(1, 3, 100, -1)))),
                c("Slice attributes opset 9", 9, s(1, 3, 4, 5), (g, t) -> g.op("Slice", t, ints("starts", 1, -2),
                        ints("ends", 3, 1000), ints("axes", 2, 3))),
                c("Slice with Constant-node starts and ends", 13, s(1, 3, 4, 6), (g, t) -> g.op("Slice", in(t,
                        g.op("Constant", in(), io.dnnvis.onnx.build.OnnxProtos.tensorAttr("value",
                                io.dnnvis.onnx.build.OnnxProtos.longTensor("v", s(2), s(1, 5)))),
                        g.op("Constant", in(), io.dnnvis.onnx.build.OnnxProtos.tensorAttr("value",
                                io.dnnvis.onnx.build.OnnxProtos.longTensor("v", s(2), s(-1, 0)))),
                        g.longs(3, 2), g.longs(2, -3)))),
                c("Pad with Constant-node pads", 13, s(1, 2, 4, 5), (g, t) -> g.op("Pad", in(t,
                        g.op("Constant", in(), io.dnnvis.onnx.build.OnnxProtos.tensorAttr("value",
                                io.dnnvis.onnx.build.OnnxProtos.longTensor("v", s(8), s(0, 0, 1, 0, 0, 0, 0, 2))))),
                        str("mode", "reflect"))),
                c("Pad constant value", 13, s(1, 2, 4, 5), (g, t) -> g.op("Pad",
                        in(t, g.longs(0, 0, 1, 2, 0, 0, 2, 1), g.scalar(0.5f)))),
                c("Pad constant on channels", 11, s(1, 2, 4, 5), (g, t) -> g.op("Pad",
                        in(t, g.longs(0, 1, 0, 0, 0, 2, 0, 1)), str("mode", "constant"))),
                c("Pad negative (crop)", 13, s(1, 2, 4, 5), (g, t) -> g.op("Pad",
                        in(t, g.longs(0, 0, -1, 1, 0, 0, 2, -2)))),
                c("Pad edge", 13, s(1, 2, 4, 5), (g, t) -> g.op("Pad", in(t, g.longs(0, 0, 2, 1, 0, 0, 1, 3)),
                        str("mode", "edge"))),
                c("Pad reflect", 13, s(1, 2, 4, 5), (g, t) -> g.op("Pad", in(t, g.longs(0, 0, 2, 3, 0, 0, 3, 2)),
                        str("mode", "reflect"))),
                c("Pad reflect attribute opset 9", 9, s(1, 2, 4, 5), (g, t) -> g.op("Pad", t,
                        ints("pads", 0, 0, 1, 3, 0, 0, 2, 1), str("mode", "reflect"))),
                c("Pad edge with axes opset 18", 18, s(1, 2, 4, 5), (g, t) -> g.op("Pad",
                        in(t, g.longs(1, 0, 2, 1), "", g.longs(2, -1)), str("mode", "edge"))),
                c("Pad wrap opset 19", 19, s(1, 2, 4, 5), (g, t) -> g.op("Pad", in(t, g.longs(0, 0, 2, 3, 0, 0, 3, 1)),
                        str("mode", "wrap"))));
    }

    static List<Case> arithmetic() {
        long[] x = s(1, 3, 4, 5);
        Kind sm = Kind.SMOOTH;
        return List.of(
                c("Add broadcast constant", 13, x, (g, t) -> g.op("Add", in(t, g.rand(1, 3, 1, 1)))),
                c("Add x broadcast to a larger constant", 13, s(1, 1, 4, 1), (g, t) -> g.op("Add",
                        in(g.rand(1, 2, 3, 4, 5), t))),
                c("Sub x minus constant", 13, x, (g, t) -> g.op("Sub", in(t, g.rand(1, 5)))),
                c("Sub constant minus x", 13, x, (g, t) -> g.op("Sub", in(g.rand(1, 3, 1, 1), t))),
                c("Mul broadcast constant", 13, x, (g, t) -> g.op("Mul", in(t, g.rand(1, 1, 3, 1, 1)))),
                c("Mul constant times x broadcast", 13, s(1, 1, 5), (g, t) -> g.op("Mul", in(g.rand(1, 4, 1), t))),
                c("Div x by constant", 13, x, (g, t) -> g.op("Div", in(t, g.uniform(1, 2, 3, 4, 5)))),
                c("Div constant by x", 13, x, (g, t) -> g.op("Div", in(g.uniform(1, 2, 4, 1), t))).kind(sm)
                        .x(away(1.5f, 0.5f, 0)),
                c("Add x + x", 13, x, (g, t) -> g.op("Add", in(t, t))),
                c("Sub x*c - x", 13, x, (g, t) -> g.op("Sub", in(g.op("Mul", in(t, g.rand(1, 5))), t))),
                c("Mul x * x", 13, x, (g, t) -> g.op("Mul", in(t, t))).kind(sm),
                c("Div x / (x + 3)", 13, x, (g, t) -> g.op("Div", in(t, g.op("Add", in(t, g.scalar(3)))))).kind(sm),
                c("Mul x * mean(x) broadcast", 13, x, (g, t) -> g.op("Mul", in(t, g.op("ReduceMean", t,
                        ints("axes", 2, 3), intAttr("keepdims", 1))))).kind(sm),
                c("Div x / (sum(x^2) + 1) broadcast", 13, x, (g, t) -> g.op("Div", in(t, g.op("Add",
                        in(g.op("ReduceSum", in(g.op("Mul", in(t, t)), g.longs(1)), intAttr("keepdims", 1)),
                                g.scalar(1)))))).kind(sm),
                c("Mul of two branches broadcast both ways", 13, x, (g, t) -> g.op("Mul", in(
                        g.op("ReduceMean", t, ints("axes", 2), intAttr("keepdims", 1)),
                        g.op("ReduceMean", t, ints("axes", 1, 3), intAttr("keepdims", 1))))).kind(sm),
                c("Add scalar constant", 13, x, (g, t) -> g.op("Add", in(g.scalar(0.25f), t))),
                c("Sub mean(x) - x broadcast", 13, x, (g, t) -> g.op("Sub", in(g.op("ReduceMean", t,
                        ints("axes", 1), intAttr("keepdims", 1)), t))));
    }

    static List<Case> unaryMath() {
        long[] x = s(1, 3, 4, 5);
        Kind sm = Kind.SMOOTH;
        return List.of(
                c("Neg", 13, x, (g, t) -> g.op("Neg", t)),
                c("Neg opset 9", 9, x, (g, t) -> g.op("Neg", t)),
                c("Abs", 13, x, (g, t) -> g.op("Abs", t)).kind(Kind.PIECEWISE).x(away(1, 0.05f, 0)),
                c("Exp", 13, x, (g, t) -> g.op("Exp", t)).kind(sm).x(uniformX(-2, 2)),
                c("Erf", 13, x, (g, t) -> g.op("Erf", t)).kind(sm).x(uniformX(-2, 2)),
                c("Erf opset 9", 9, x, (g, t) -> g.op("Erf", t)).kind(sm).x(uniformX(-2, 2)),
                c("Log", 13, x, (g, t) -> g.op("Log", t)).kind(sm).x(uniformX(0.5f, 3)),
                c("Sqrt", 13, x, (g, t) -> g.op("Sqrt", t)).kind(sm).x(uniformX(0.5f, 3)),
                c("Reciprocal", 13, x, (g, t) -> g.op("Reciprocal", t)).kind(sm).x(away(2, 0.5f, 0)),
                c("Log of Exp opset 9", 9, x, (g, t) -> g.op("Log", g.op("Exp", g.op("Sqrt", g.op("Abs", t)))))
                        .kind(sm).x(away(2, 0.3f, 0)));
    }

    static List<Case> power() {
        long[] x = s(1, 3, 4, 5);
        Kind sm = Kind.SMOOTH;
        return List.of(
                c("Pow x^2 scalar exponent opset 9", 9, x, (g, t) -> g.op("Pow", in(t, g.scalar(2f)))).kind(sm),
                c("Pow x^3 negative base", 13, x, (g, t) -> g.op("Pow", in(t, g.scalar(3f)))).kind(sm)
                        .x(uniformX(-2, 2)),
                c("Pow per-channel exponent", 13, x, (g, t) -> g.op("Pow", in(t, g.uniform(-1.5f, 2.5f, 3, 1, 1))))
                        .kind(sm).x(uniformX(0.5f, 2)),
                c("Pow x broadcast against the exponent", 13, s(1, 1, 5), (g, t) -> g.op("Pow",
                        in(t, g.uniform(0.5f, 2.5f, 4, 1)))).kind(sm).x(uniformX(0.5f, 2)),
                c("Pow integer exponent opset 15", 15, x, (g, t) -> g.op("Pow", in(t, g.longs(3)))).kind(sm)
                        .x(uniformX(-1.5f, 1.5f)),
                c("Pow constant base, x exponent", 13, x, (g, t) -> g.op("Pow", in(g.uniform(0.5f, 2f, 4, 1), t)))
                        .kind(sm),
                c("Pow x^x", 13, x, (g, t) -> g.op("Pow", in(t, t))).kind(sm).x(uniformX(0.5f, 2)),
                c("Pow x^mean(x) broadcast exponent", 13, x, (g, t) -> g.op("Pow", in(t, g.op("ReduceMean", t,
                        ints("axes", 2, 3), intAttr("keepdims", 1))))).kind(sm).x(uniformX(0.5f, 2)));
    }

    static List<Case> reductions() {
        long[] x = s(1, 3, 4, 5);
        return List.of(
                c("ReduceMean axes 2,3 keepdims", 13, x, (g, t) -> g.op("ReduceMean", t, ints("axes", 2, 3),
                        intAttr("keepdims", 1))),
                c("ReduceMean axis 1 no keepdims", 13, x, (g, t) -> g.op("ReduceMean", t, ints("axes", 1),
                        intAttr("keepdims", 0))),
                c("ReduceMean everything to a scalar", 13, x, (g, t) -> g.op("ReduceMean", t, intAttr("keepdims", 0))),
                c("ReduceMean axes input opset 18", 18, x, (g, t) -> g.op("ReduceMean", in(t, g.longs(-1, 1)),
                        intAttr("keepdims", 0))),
                c("ReduceSum last axis no keepdims", 13, x, (g, t) -> g.op("ReduceSum", in(t, g.longs(-1)),
                        intAttr("keepdims", 0))),
                c("ReduceSum axes 1,3 keepdims", 13, x, (g, t) -> g.op("ReduceSum", in(t, g.longs(1, 3)),
                        intAttr("keepdims", 1))),
                c("ReduceSum attribute opset 11", 11, x, (g, t) -> g.op("ReduceSum", t, ints("axes", 0, 2),
                        intAttr("keepdims", 0))),
                c("ReduceSum everything keepdims", 13, x, (g, t) -> g.op("ReduceSum", t, intAttr("keepdims", 1))),
                c("ReduceSum noop_with_empty_axes", 13, x, (g, t) -> g.op("ReduceSum", t,
                        intAttr("noop_with_empty_axes", 1))));
    }

    static List<Case> resizing() {
        long[] x = s(1, 2, 4, 5);
        float[] up2 = {1, 1, 2, 2};
        float[] down2 = {1, 1, 0.5f, 0.5f};
        return List.of(
                c("Resize nearest asymmetric floor x2", 13, x, resize(13, "nearest", "asymmetric", "floor", up2, null)),
                c("Resize nearest defaults x2", 13, x, resize(13, "nearest", null, null, up2, null)),
                c("Resize nearest half_pixel round_prefer_ceil x0.5", 13, x,
                        resize(13, "nearest", "half_pixel", "round_prefer_ceil", down2, null)),
                c("Resize nearest half_pixel round_prefer_floor x0.5", 13, x,
                        resize(13, "nearest", "half_pixel", "round_prefer_floor", down2, null)),
                c("Resize nearest half_pixel ceil sizes 7x9", 13, x,
                        resize(13, "nearest", "half_pixel", "ceil", null, s(1, 2, 7, 9))),
                c("Resize nearest align_corners sizes 7x9", 13, x,
                        resize(13, "nearest", "align_corners", "round_prefer_floor", null, s(1, 2, 7, 9))),
                c("Resize nearest asymmetric ceil down to 3x3", 13, x,
                        resize(13, "nearest", "asymmetric", "ceil", null, s(1, 2, 3, 3))),
                c("Resize nearest pytorch_half_pixel sizes 6x8", 13, x,
                        resize(13, "nearest", "pytorch_half_pixel", "round_prefer_ceil", null, s(1, 2, 6, 8))),
                c("Resize linear half_pixel x2", 13, x, resize(13, "linear", "half_pixel", null, up2, null)),
                c("Resize linear align_corners sizes 7x8", 13, x,
                        resize(13, "linear", "align_corners", null, null, s(1, 2, 7, 8))),
                c("Resize linear asymmetric x2", 13, x, resize(13, "linear", "asymmetric", null, up2, null)),
                c("Resize linear pytorch_half_pixel sizes 1x3", 13, x,
                        resize(13, "linear", "pytorch_half_pixel", null, null, s(1, 2, 1, 3))),
                c("Resize linear pytorch_half_pixel x1.75", 13, x,
                        resize(13, "linear", "pytorch_half_pixel", null, new float[] {1, 1, 1.75f, 1.5f}, null)),
                c("Resize linear half_pixel down to 3x3", 13, x,
                        resize(13, "linear", "half_pixel", null, null, s(1, 2, 3, 3))),
                c("Resize linear half_pixel x0.5", 13, x, resize(13, "linear", "half_pixel", null, down2, null)),
                c("Resize linear opset 11 sizes", 11, x,
                        resize(11, "linear", "align_corners", null, null, s(1, 2, 6, 9))),
                c("Resize nearest opset 11 scales", 11, x,
                        resize(11, "nearest", "asymmetric", "round_prefer_ceil", new float[] {1, 1, 2, 1.5f}, null)),
                c("Resize nearest opset 10", 10, x, resize(10, "nearest", null, null, new float[] {1, 1, 2, 3}, null)),
                c("Resize linear opset 10", 10, x, resize(10, "linear", null, null, new float[] {1, 1, 2, 1.5f}, null)),
                c("Resize nearest axes opset 18", 18, x, (g, t) -> g.op("Resize",
                        in(t, "", g.floats(s(2), 2, 3)), ints("axes", 2, 3), str("mode", "nearest"))),
                c("Resize linear axes sizes opset 19", 19, x, (g, t) -> g.op("Resize",
                        in(t, "", "", g.longs(7)), ints("axes", -1), str("mode", "linear"))),
                c("Resize nearest sizes keep_aspect_ratio_policy not_larger", 18, x, (g, t) -> g.op("Resize",
                        in(t, "", "", g.longs(8, 8)), ints("axes", 2, 3), str("mode", "nearest"),
                        str("coordinate_transformation_mode", "asymmetric"),
                        str("keep_aspect_ratio_policy", "not_larger"))),
                c("Resize linear sizes keep_aspect_ratio_policy not_smaller", 18, x, (g, t) -> g.op("Resize",
                        in(t, "", "", g.longs(7, 7)), ints("axes", 2, 3), str("mode", "linear"),
                        str("keep_aspect_ratio_policy", "not_smaller"))),
                c("Resize nearest on the channel axis", 13, x,
                        resize(13, "nearest", "asymmetric", "floor", new float[] {1, 2, 1, 0.6f}, null)),
                c("Resize linear align_corners down to 3x2", 13, x,
                        resize(13, "linear", "align_corners", null, null, s(1, 2, 3, 2))),
                c("Upsample nearest opset 9", 9, x, (g, t) -> g.op("Upsample", in(t, g.floats(s(4), 1, 1, 2, 3)),
                        str("mode", "nearest"))),
                c("Upsample linear opset 9", 9, x, (g, t) -> g.op("Upsample", in(t, g.floats(s(4), 1, 1, 2, 2)),
                        str("mode", "linear"))));
    }

    static List<Case> layerAndGroupNormalization() {
        Kind sm = Kind.SMOOTH;
        return List.of(
                c("LayerNormalization last axis", 17, s(1, 3, 4, 5), (g, t) -> g.op("LayerNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 5), g.rand(1, 5)))).kind(sm),
                c("LayerNormalization axis 1 epsilon, no bias", 17, s(1, 3, 4, 5), (g, t) -> g.op(
                        "LayerNormalization", in(t, g.uniform(-1.5f, 1.5f, 3, 4, 5)), intAttr("axis", 1),
                        floatAttr("epsilon", 0.05f))).kind(sm),
                c("LayerNormalization axis -2", 17, s(1, 3, 4, 5), (g, t) -> g.op("LayerNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 4, 5), g.rand(1, 4, 5)), intAttr("axis", -2))).kind(sm),
                c("LayerNormalization 2-D stash_type 1, Mean and InvStdDev outputs unused", 18, s(1, 7), (g, t) ->
                        g.ops("LayerNormalization", in(t, g.uniform(0.5f, 1.5f, 7), g.rand(1, 7)), 3,
                                intAttr("stash_type", 1)).get(0)).kind(sm),
                c("LayerNormalization opset 21", 21, s(1, 2, 6), (g, t) -> g.op("LayerNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 6), g.rand(1, 6)))).kind(sm),
                c("LayerNorm decomposed (opset < 17 export)", 13, s(1, 4, 6), (g, t) -> {
                    String centred = g.op("Sub", in(t, g.op("ReduceMean", t, ints("axes", -1))));
                    String variance = g.op("ReduceMean", g.op("Pow", in(centred, g.scalar(2f))), ints("axes", -1));
                    String sigma = g.op("Sqrt", g.op("Add", in(variance, g.scalar(1e-5f))));
                    String normalized = g.op("Div", in(centred, sigma));
                    return g.op("Add", in(g.op("Mul", in(normalized, g.uniform(0.5f, 1.5f, 6))), g.rand(1, 6)));
                }).kind(sm),
                c("GroupNormalization per-group scale opset 18", 18, s(1, 6, 3, 4), (g, t) -> g.op(
                        "GroupNormalization", in(t, g.uniform(0.5f, 1.5f, 3), g.rand(1, 3)),
                        intAttr("num_groups", 3))).kind(sm),
                c("GroupNormalization 1-D epsilon opset 18", 18, s(1, 4, 5), (g, t) -> g.op("GroupNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 2), g.rand(1, 2)), intAttr("num_groups", 2),
                        floatAttr("epsilon", 0.05f))).kind(sm),
                c("GroupNormalization per-channel scale opset 21", 21, s(1, 6, 3, 4), (g, t) -> g.op(
                        "GroupNormalization", in(t, g.uniform(0.5f, 1.5f, 6), g.rand(1, 6)),
                        intAttr("num_groups", 2))).kind(sm),
                c("GroupNormalization one group opset 21", 21, s(1, 3, 2, 3), (g, t) -> g.op("GroupNormalization",
                        in(t, g.uniform(-1.5f, 1.5f, 3), g.rand(1, 3)), intAttr("num_groups", 1))).kind(sm));
    }

    static List<Case> dataMovement() {
        long[] x = s(1, 3, 4, 5);
        return List.of(
                c("Where x as X, constant mask", 13, x, (g, t) -> g.op("Where",
                        in(g.op("Greater", in(g.rand(1, 3, 4, 5), g.scalar(0))), t, g.rand(1, 3, 1, 1)))),
                c("Where x as Y broadcast to the condition opset 9", 9, s(1, 1, 5), (g, t) -> g.op("Where",
                        in(g.op("Greater", in(g.rand(1, 2, 4, 5), g.scalar(0))), g.rand(1, 4, 1), t))),
                c("Where x on both sides, condition from x opset 16", 16, x, (g, t) -> g.op("Where",
                        in(g.op("Greater", in(t, g.scalar(0))), g.op("Mul", in(t, g.scalar(3))), t)))
                        .kind(Kind.PIECEWISE).x(away(1, 0.05f, 0)),
                c("Expand to a larger rank", 13, s(1, 3, 1, 5), (g, t) -> g.op("Expand", in(t, g.longs(2, 1, 3, 4, 5)))),
                c("Expand with ones in the shape opset 9", 9, s(1, 3, 1, 5), (g, t) -> g.op("Expand",
                        in(t, g.longs(2, 1, 4, 1)))),
                c("Tile 2,1,3,2", 13, x, (g, t) -> g.op("Tile", in(t, g.longs(2, 1, 3, 2)))),
                c("Tile opset 9", 9, s(1, 2, 3), (g, t) -> g.op("Tile", in(t, g.longs(3, 1, 2)))),
                c("Gather axis 1 repeated and negative indices", 13, x, (g, t) -> g.op("Gather",
                        in(t, g.longs(2, 0, -1, 2, 1)), intAttr("axis", 1))),
                c("Gather 2-D indices negative axis opset 11", 11, x, (g, t) -> g.op("Gather",
                        in(t, g.b.initializerLongs("gather_idx", s(2, 3), new long[] {4, 0, -1, 1, 1, 3})),
                        intAttr("axis", -1))),
                c("Gather scalar index axis 2", 13, x, (g, t) -> g.op("Gather",
                        in(t, g.b.initializerLongs("gather_idx", s(), new long[] {-2})), intAttr("axis", 2))),
                c("Gather default axis opset 9", 9, s(1, 3, 2), (g, t) -> g.op("Gather", in(t, g.longs(0, -1, 0)))),
                c("GatherElements axis 2 repeated, fewer rows and columns", 13, x, (g, t) -> g.op(
                        "GatherElements", in(t, g.b.initializerLongs("gather_idx", s(1, 2, 3, 4),
                                new long[] {0, 1, -1, 3, 3, 3, 2, 0, 1, 1, 0, -4, 2, 2, 2, 2, 0, 3, 1, 0, -1, -2, 1, 1})),
                        intAttr("axis", 2))),
                c("GatherElements last axis more outputs than inputs opset 11", 11, s(1, 2, 3), (g, t) -> g.op(
                        "GatherElements", in(t, g.b.initializerLongs("gather_idx", s(1, 2, 4),
                                new long[] {2, 2, 0, -1, 1, 0, 0, 1})), intAttr("axis", -1))),
                c("GatherElements axis -3 (channels)", 13, s(1, 3, 2, 2), (g, t) -> g.op("GatherElements",
                        in(t, g.b.initializerLongs("gather_idx", s(1, 2, 2, 2), new long[] {2, 0, 1, 2, 0, 0, 2, 1})),
                        intAttr("axis", -3))),
                c("DepthToSpace DCR default opset 9", 9, s(1, 8, 2, 3), (g, t) -> g.op("DepthToSpace", t,
                        intAttr("blocksize", 2))),
                c("DepthToSpace DCR", 13, s(1, 8, 2, 3), (g, t) -> g.op("DepthToSpace", t, intAttr("blocksize", 2),
                        str("mode", "DCR"))),
                c("DepthToSpace CRD opset 11", 11, s(1, 18, 2, 3), (g, t) -> g.op("DepthToSpace", t,
                        intAttr("blocksize", 3), str("mode", "CRD"))),
                c("SpaceToDepth", 13, s(1, 3, 4, 6), (g, t) -> g.op("SpaceToDepth", t, intAttr("blocksize", 2))),
                c("SpaceToDepth opset 9", 9, s(1, 2, 6, 3), (g, t) -> g.op("SpaceToDepth", t,
                        intAttr("blocksize", 3))));
    }

    static List<Case> reductionsAndVariadics() {
        long[] x = s(1, 3, 4, 5);
        Kind p = Kind.PIECEWISE;
        Kind sm = Kind.SMOOTH;
        // constants halfway between the values distinct() draws (0.05 apart, even counts): no tie moves under the step
        java.util.function.BiFunction<G, long[], String> between = (g, dims) -> {
            float[] v = new float[(int) count(dims)];
            for (int k = 0; k < v.length; k++) {
                v[k] = (g.rnd.nextInt(60) - 30 + 0.5f) * 0.05f;
            }
            return g.floats(dims, v);
        };
        return List.of(
                c("ReduceMax axes 2,3 keepdims", 13, x, (g, t) -> g.op("ReduceMax", t, ints("axes", 2, 3),
                        intAttr("keepdims", 1))).kind(p).x(distinct()),
                c("ReduceMax axis 1 no keepdims opset 11", 11, x, (g, t) -> g.op("ReduceMax", t, ints("axes", 1),
                        intAttr("keepdims", 0))).kind(p).x(distinct()),
                c("ReduceMax everything opset 9", 9, x, (g, t) -> g.op("ReduceMax", t)).kind(p).x(distinct()),
                c("ReduceMax axes 3,1 moved last opset 12", 12, x, (g, t) -> g.op("ReduceMax", t, ints("axes", 3, 1),
                        intAttr("keepdims", 1))).kind(p).x(distinct()),
                c("ReduceMax axes input opset 18", 18, x, (g, t) -> g.op("ReduceMax", in(t, g.longs(-1, 1)),
                        intAttr("keepdims", 0))).kind(p).x(distinct()),
                c("ReduceMax empty axes input opset 18", 18, x, (g, t) -> g.op("ReduceMax", in(t, g.longs()),
                        intAttr("keepdims", 0))).kind(p).x(distinct()),
                c("ReduceMax noop_with_empty_axes opset 18", 18, x, (g, t) -> g.op("ReduceMax", t,
                        intAttr("noop_with_empty_axes", 1))).kind(p).x(distinct()),
                c("ReduceMax of x twice along the axis (ties)", 13, x, (g, t) -> g.op("ReduceMax",
                        g.op("Concat", in(t, t), intAttr("axis", 1)), ints("axes", 1, 2))).kind(p).x(distinct()),
                c("ReduceMin axes 0,2 no keepdims", 13, x, (g, t) -> g.op("ReduceMin", t, ints("axes", 0, 2),
                        intAttr("keepdims", 0))).kind(p).x(distinct()),
                c("ReduceMin negative axis opset 9", 9, x, (g, t) -> g.op("ReduceMin", t, ints("axes", -1)))
                        .kind(p).x(distinct()),
                c("ReduceMin axes input opset 20", 20, x, (g, t) -> g.op("ReduceMin", in(t, g.longs(2, 0)),
                        intAttr("keepdims", 1))).kind(p).x(distinct()),
                c("ReduceL2 axes 2,3 keepdims", 13, x, (g, t) -> g.op("ReduceL2", t, ints("axes", 2, 3),
                        intAttr("keepdims", 1))).kind(sm),
                c("ReduceL2 everything opset 9", 9, x, (g, t) -> g.op("ReduceL2", t, intAttr("keepdims", 0))).kind(sm),
                c("ReduceL2 axes input opset 18", 18, x, (g, t) -> g.op("ReduceL2", in(t, g.longs(1)),
                        intAttr("keepdims", 0))).kind(sm),
                c("ReduceL2 of a zero group", 13, x, (g, t) -> g.op("ReduceL2", g.op("Mul",
                        in(t, g.floats(s(1, 3, 1, 1), 1, 0, 2))), ints("axes", 2, 3))).kind(sm),
                c("ReduceL2 noop_with_empty_axes opset 18", 18, x, (g, t) -> g.op("ReduceL2", t,
                        intAttr("noop_with_empty_axes", 1))).kind(sm).x(away(1, 0.05f, 0)),
                c("ReduceSumSquare axis 1", 13, x, (g, t) -> g.op("ReduceSumSquare", t, ints("axes", 1))).kind(sm),
                c("ReduceSumSquare everything opset 9", 9, x, (g, t) -> g.op("ReduceSumSquare", t,
                        intAttr("keepdims", 0))).kind(sm),
                c("ReduceSumSquare axes input opset 18", 18, x, (g, t) -> g.op("ReduceSumSquare",
                        in(t, g.longs(0, -1)), intAttr("keepdims", 0))).kind(sm),
                c("ReduceSumSquare noop_with_empty_axes opset 18", 18, x, (g, t) -> g.op("ReduceSumSquare", t,
                        intAttr("noop_with_empty_axes", 1))).kind(sm),
                c("Sum of one input", 13, x, (g, t) -> g.op("Sum", in(t))),
                c("Sum of x, a broadcast constant and x", 13, x, (g, t) -> g.op("Sum", in(t, g.rand(1, 3, 1, 1), t))),
                c("Sum with x broadcast opset 9", 9, s(1, 1, 5), (g, t) -> g.op("Sum",
                        in(g.rand(1, 4, 1), t, g.rand(1, 3, 1, 1)))),
                c("Mean of one input opset 9", 9, x, (g, t) -> g.op("Mean", in(t))),
                c("Mean of x, x squared and a broadcast constant", 13, x, (g, t) -> g.op("Mean",
                        in(t, g.op("Mul", in(t, t)), g.rand(1, 5)))).kind(sm),
                c("Mean with x broadcast", 13, s(1, 1, 5), (g, t) -> g.op("Mean", in(g.rand(1, 4, 1), t))),
                c("Max of x and broadcast constants", 13, x, (g, t) -> g.op("Max",
                        in(t, between.apply(g, s(1, 3, 1, 1)), between.apply(g, s(1, 5))))).kind(p).x(distinct()),
                c("Max with x broadcast opset 9", 9, s(1, 1, 6), (g, t) -> g.op("Max",
                        in(between.apply(g, s(1, 4, 1)), t, between.apply(g, s(3, 1, 1))))).kind(p).x(distinct()),
                c("Max of one input", 13, x, (g, t) -> g.op("Max", in(t))).kind(p).x(distinct()),
                c("Max of x and x (ties go to the first)", 13, x, (g, t) -> g.op("Max", in(t, t))).kind(p)
                        .x(distinct()),
                c("Max of x and -x", 13, x, (g, t) -> g.op("Max", in(t, g.op("Neg", t)))).kind(p).x(away(1, 0.05f, 0)),
                c("Min of x and broadcast constants", 13, x, (g, t) -> g.op("Min",
                        in(between.apply(g, s(4, 1)), t, between.apply(g, s(3, 1, 1))))).kind(p).x(distinct()),
                c("Min with x broadcast opset 9", 9, s(1, 1, 6), (g, t) -> g.op("Min",
                        in(t, between.apply(g, s(1, 4, 1))))).kind(p).x(distinct()),
                c("Min of a row minimum and x (ties)", 13, x, (g, t) -> g.op("Min", in(g.op("ReduceMin", t,
                        ints("axes", 3), intAttr("keepdims", 1)), t))).kind(p).x(distinct()));
    }

    /** A cubic Resize with scales (sizes null) or sizes over all axes, in the form of {@code opset}. */
    static Body cubic(long opset, String transform, float[] scales, long[] sizes, AttributeProto... more) {
        return (g, x) -> {
            List<AttributeProto> a = new ArrayList<>(List.of(str("mode", "cubic")));
            if (transform != null) {
                a.add(str("coordinate_transformation_mode", transform));
            }
            a.addAll(List.of(more));
            AttributeProto[] attrs = a.toArray(AttributeProto[]::new);
            String roi = opset < 13 ? g.floats(s(0)) : "";
            if (sizes != null) {
                return g.op("Resize", in(x, roi, opset < 13 ? g.floats(s(0)) : "", g.longs(sizes)), attrs);
            }
            return g.op("Resize", in(x, roi, g.floats(s(scales.length), scales)), attrs);
        };
    }

    /** Resize cubic, the QDQ pair, and the opset forms of ops whose attributes became inputs. */
    static List<Case> cubicResizeAndOpsetForms() {
        long[] x = s(1, 2, 4, 5);
        float[] up2 = {1, 1, 2, 2};
        float[] down = {1, 1, 0.5f, 0.6f};
        Kind sm = Kind.SMOOTH;
        return List.of(
                c("Resize cubic defaults x2 opset 11", 11, x, cubic(11, null, up2, null)),
                c("Resize cubic half_pixel x2", 13, x, cubic(13, "half_pixel", up2, null)),
                c("Resize cubic half_pixel x0.5,x0.6", 13, x, cubic(13, "half_pixel", down, null)),
                c("Resize cubic half_pixel sizes 9x7 opset 18", 18, x, cubic(18, "half_pixel", null, s(1, 2, 9, 7))),
                c("Resize cubic pytorch_half_pixel x1.75,x1.5 opset 11", 11, x,
                        cubic(11, "pytorch_half_pixel", new float[] {1, 1, 1.75f, 1.5f}, null)),
                c("Resize cubic pytorch_half_pixel sizes 1x3", 13, x,
                        cubic(13, "pytorch_half_pixel", null, s(1, 2, 1, 3))),
                c("Resize cubic pytorch_half_pixel down to 3x3 opset 19", 19, x,
                        cubic(19, "pytorch_half_pixel", null, s(1, 2, 3, 3))),
                c("Resize cubic align_corners sizes 7x9 opset 11", 11, x,
                        cubic(11, "align_corners", null, s(1, 2, 7, 9))),
                c("Resize cubic align_corners down to 3x2", 13, x, cubic(13, "align_corners", null, s(1, 2, 3, 2))),
                c("Resize cubic align_corners x2 opset 18", 18, x, cubic(18, "align_corners", up2, null)),
                c("Resize cubic asymmetric x2", 13, x, cubic(13, "asymmetric", up2, null)),
                c("Resize cubic asymmetric x0.5,x0.6 opset 11", 11, x, cubic(11, "asymmetric", down, null)),
                c("Resize cubic asymmetric sizes 6x8 opset 19", 19, x, cubic(19, "asymmetric", null, s(1, 2, 6, 8))),
                c("Resize cubic coeff -0.5 exclude_outside x2 opset 11", 11, x, cubic(11, "half_pixel", up2, null,
                        floatAttr("cubic_coeff_a", -0.5f), intAttr("exclude_outside", 1))),
                c("Resize cubic exclude_outside down x0.5,x0.6", 13, x, cubic(13, "half_pixel", down, null,
                        intAttr("exclude_outside", 1))),
                c("Resize cubic exclude_outside align_corners sizes 7x3 opset 18", 18, x,
                        cubic(18, "align_corners", null, s(1, 2, 7, 3), intAttr("exclude_outside", 1),
                                floatAttr("cubic_coeff_a", -0.6f))),
                c("Resize cubic axes antialias 0 opset 18", 18, x, (g, t) -> g.op("Resize",
                        in(t, "", g.floats(s(2), 1.5f, 2)), ints("axes", 3, 2), str("mode", "cubic"),
                        intAttr("antialias", 0))),
                // antialias filters only linear and cubic downscaling: elsewhere the flag changes nothing
                c("Resize linear antialias 1 up x2,x1.5 opset 18", 18, x, (g, t) -> g.op("Resize",
                        in(t, "", g.floats(s(4), 1, 1, 2, 1.5f)), str("mode", "linear"), intAttr("antialias", 1))),
                c("Resize cubic antialias 1 up x1.5 opset 18", 18, x, (g, t) -> g.op("Resize",
                        in(t, "", g.floats(s(4), 1, 1, 1.5f, 1.5f)), str("mode", "cubic"), intAttr("antialias", 1))),
                c("Resize cubic axes sizes opset 19", 19, x, (g, t) -> g.op("Resize",
                        in(t, "", "", g.longs(3)), ints("axes", -2), str("mode", "cubic"))),
                c("Resize cubic half_pixel_symmetric x1.5 opset 19", 19, x,
                        cubic(19, "half_pixel_symmetric", new float[] {1, 1, 1.5f, 0.7f}, null)),
                c("Resize linear half_pixel_symmetric sizes 7x3 opset 19", 19, x, (g, t) -> g.op("Resize",
                        in(t, "", "", g.longs(1, 2, 7, 3)), str("mode", "linear"),
                        str("coordinate_transformation_mode", "half_pixel_symmetric"))),
                c("Resize nearest half_pixel_symmetric x2.5 opset 19", 19, x, (g, t) -> g.op("Resize",
                        in(t, "", g.floats(s(4), 1, 1, 2.5f, 0.6f)), str("mode", "nearest"),
                        str("coordinate_transformation_mode", "half_pixel_symmetric"))),
                // a step of 1e-5 against differences over 1e-2: the pair is the identity inside its range
                // [(-32768 - 1000)·1e-5, (32767 - 1000)·1e-5] and constant outside (QdqTest checks the rest)
                c("QuantizeLinear -> DequantizeLinear int16, fine step, opset 21", 21, x, (g, t) -> {
                    String scale = g.scalar(1e-5f);
                    String zp = g.op("Constant", in(), io.dnnvis.onnx.build.OnnxProtos.tensorAttr("value",
                            io.dnnvis.onnx.build.OnnxProtos.tensor("zp", io.dnnvis.onnx.DataType.INT16, s(),
                                    new byte[] {(byte) 0xe8, 0x03})));
                    return g.op("DequantizeLinear", in(g.op("QuantizeLinear", in(t, scale, zp)), scale, zp));
                }).kind(Kind.PIECEWISE).x(away(0.6f, 0.05f, -0.33768f, 0.31767f)),
                // opset forms: attributes that became inputs
                c("ReduceMean attribute opset 9", 9, x, (g, t) -> g.op("ReduceMean", t, ints("axes", 1, 3))),
                c("ReduceMean negative axes attribute opset 11", 11, x, (g, t) -> g.op("ReduceMean", t,
                        ints("axes", -1), intAttr("keepdims", 0))),
                c("ReduceMean empty axes input opset 18", 18, x, (g, t) -> g.op("ReduceMean", in(t, g.longs()),
                        intAttr("keepdims", 0))),
                c("ReduceMean noop_with_empty_axes opset 18", 18, x, (g, t) -> g.op("ReduceMean", t,
                        intAttr("noop_with_empty_axes", 1))),
                c("ReduceSum attribute opset 9", 9, x, (g, t) -> g.op("ReduceSum", t, ints("axes", 2),
                        intAttr("keepdims", 1))),
                c("ReduceSum empty axes input noop_with_empty_axes opset 13", 13, x, (g, t) -> g.op("ReduceSum",
                        in(t, g.longs()), intAttr("noop_with_empty_axes", 1))),
                c("ReduceSum axes input opset 18", 18, x, (g, t) -> g.op("ReduceSum", in(t, g.longs(0, -2)),
                        intAttr("keepdims", 0))),
                c("ReduceSum axes input opset 21", 21, x, (g, t) -> g.op("ReduceSum", in(t, g.longs(3)))),
                c("Squeeze axes attribute opset 9", 9, s(1, 3, 1, 5), (g, t) -> g.op("Squeeze", t, ints("axes", 0, 2))),
                c("Unsqueeze axes attribute opset 9", 9, s(1, 3, 4), (g, t) -> g.op("Unsqueeze", t, ints("axes", 0, 4))),
                c("Squeeze axes input opset 21", 21, s(1, 3, 1, 5), (g, t) -> g.op("Squeeze", in(t, g.longs(-2)))),
                c("Unsqueeze negative axes input opset 18", 18, s(1, 3, 4), (g, t) -> g.op("Unsqueeze",
                        in(t, g.longs(-1, 1)))),
                c("Split attribute opset 9", 9, s(1, 5, 4, 3),
                        (g, t) -> g.ops("Split", in(t), 2, ints("split", 2, 3), intAttr("axis", 1)).get(1)),
                c("Split equal opset 11", 11, s(1, 2, 6, 3), (g, t) -> {
                    List<String> parts = g.ops("Split", in(t), 3, intAttr("axis", 2));
                    return g.op("Concat", in(parts.get(2), parts.get(1)), intAttr("axis", 2));
                }),
                c("Split split input opset 18", 18, s(1, 5, 4, 3),
                        (g, t) -> g.ops("Split", in(t, g.longs(3, 1)), 2, intAttr("axis", 2)).get(0)),
                c("Split num_outputs even opset 21", 21, s(1, 6, 2, 3),
                        (g, t) -> g.ops("Split", in(t), 3, intAttr("num_outputs", 3), intAttr("axis", 1)).get(1)),
                c("Pad constant value attribute opset 9", 9, s(1, 2, 4, 5), (g, t) -> g.op("Pad", t,
                        ints("pads", 0, 1, 2, 0, 0, 0, 1, 2), floatAttr("value", 0.5f))),
                c("Pad edge inputs opset 11", 11, s(1, 2, 4, 5), (g, t) -> g.op("Pad",
                        in(t, g.longs(0, 0, 1, 2, 0, 0, 2, 1)), str("mode", "edge"))),
                c("Pad constant with axes opset 21", 21, s(1, 2, 4, 5), (g, t) -> g.op("Pad",
                        in(t, g.longs(2, 1, 1, 3), g.scalar(0.25f), g.longs(1, -1)))),
                c("Clip inputs opset 11", 11, x, (g, t) -> g.op("Clip", in(t, g.scalar(-0.4f), g.scalar(0.5f))))
                        .kind(Kind.PIECEWISE).x(away(1, 0.05f, -0.4f, 0.5f)),
                c("Clip no bounds opset 11", 11, x, (g, t) -> g.op("Clip", in(t))),
                c("Slice inputs opset 10", 10, s(1, 3, 5, 6), (g, t) -> g.op("Slice",
                        in(t, g.longs(1, 0), g.longs(5, 5), g.longs(2, 3), g.longs(2, 1)))),
                c("Slice negative axes opset 11", 11, s(1, 3, 5, 6), (g, t) -> g.op("Slice",
                        in(t, g.longs(-4), g.longs(-1), g.longs(-1)))),
                c("Dropout opset 10", 10, x, (g, t) -> g.op("Dropout", t, floatAttr("ratio", 0.2f))),
                c("Dropout ratio and training_mode inputs, mask output opset 12", 12, x, (g, t) -> g.ops("Dropout",
                        in(t, g.scalar(0.4f), g.op("Cast", g.b.initializerLongs("tm", s(), new long[] {0}),
                                intAttr("to", 9))), 2).get(0)),
                c("BatchNormalization opset 14", 14, s(1, 3, 4, 5), (g, t) -> g.op("BatchNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 3), g.rand(1, 3), g.rand(1, 3), g.uniform(0.1f, 2f, 3)),
                        intAttr("training_mode", 0))),
                c("BatchNormalization opset 15", 15, s(1, 3, 4, 5), (g, t) -> g.b.batchNorm(t, 3, g.rnd)),
                // opsets 7 and 8, read as opset 9
                c("Upsample nearest scales attribute opset 7", 7, x, (g, t) -> g.op("Upsample", t,
                        io.dnnvis.onnx.build.OnnxProtos.floatsAttr("scales", 1, 1, 2, 3), str("mode", "nearest"))),
                c("Upsample linear scales attribute opset 8", 8, x, (g, t) -> g.op("Upsample", t,
                        io.dnnvis.onnx.build.OnnxProtos.floatsAttr("scales", 1, 1, 2, 1.5f), str("mode", "linear"))),
                c("BatchNormalization spatial 1 opset 7", 7, s(1, 3, 4, 5), (g, t) -> g.op("BatchNormalization",
                        in(t, g.uniform(0.5f, 1.5f, 3), g.rand(1, 3), g.rand(1, 3), g.uniform(0.1f, 2f, 3)),
                        intAttr("spatial", 1))),
                c("Conv, AveragePool, Flatten, Gemm opset 7", 7, s(1, 2, 6, 6), (g, t) -> g.b.gemm(g.b.flatten(
                        g.b.avgPool(g.b.conv(t, 2, 3, 3, 1, 1, 1, g.rnd), 2, 2, 0, false), 1), 27, 4, g.rnd)),
                c("MaxPool opset 8", 8, s(1, 2, 6, 7), (g, t) -> g.op("MaxPool", t, ints("kernel_shape", 3, 3),
                        ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))).kind(Kind.PIECEWISE).x(distinct()),
                c("Clip attributes opset 7", 7, x, (g, t) -> g.op("Clip", t, floatAttr("min", -0.3f),
                        floatAttr("max", 0.4f))).kind(Kind.PIECEWISE).x(away(1, 0.05f, -0.3f, 0.4f)),
                c("Dropout, Pad, Slice, Squeeze, Concat opset 7", 7, s(1, 2, 1, 5), (g, t) -> {
                    String padded = g.op("Pad", g.op("Dropout", t), ints("pads", 0, 0, 0, 1, 0, 0, 0, 2),
                            floatAttr("value", 0.5f));
                    String sliced = g.op("Slice", padded, ints("starts", 1), ints("ends", 7), ints("axes", 3));
                    return g.op("Concat", in(g.op("Squeeze", sliced, ints("axes", 2)), g.rand(1, 1, 2, 6)),
                            intAttr("axis", 1));
                }),
                c("ReduceMean and Softmax opset 8", 8, x, (g, t) -> g.op("Softmax", g.op("ReduceMean", t,
                        ints("axes", 2)), intAttr("axis", 1))).kind(Kind.SMOOTH));
    }

    // ---------------------------------------------------------------- the adjoint test

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void adjoint(Case c) {
        double worst = discrepancy(c, RuleSet.exact(), Pooling.SWITCH);
        assertThat(worst).as("%s: largest |<Jv, w> - <v, J^T w>| / scale", c.name()).isLessThanOrEqualTo(c.tol());
    }

    /** Wrong rules in place of the right ones: the same check must catch every one. */
    static Stream<Arguments> wrongRules() {
        Map<String, Case> byName = cases().collect(Collectors.toMap(Case::name, c -> c));
        return Stream.of(
                Arguments.of(byName.get("Sigmoid"), RuleSet.exact().with("Sigmoid", ExactRules.TABLE.get("Tanh")),
                        Pooling.SWITCH),
                Arguments.of(byName.get("Relu"), RuleSet.exact().with("Relu", ReluRule.DECONVNET), Pooling.SWITCH),
                Arguments.of(byName.get("LRN odd size"), RuleSet.exact().with("LRN", ExactRules.TABLE.get("Identity")),
                        Pooling.SWITCH),
                Arguments.of(byName.get("Mul broadcast constant"), RuleSet.exact().with("Mul",
                        ExactRules.TABLE.get("Add")), Pooling.SWITCH),
                Arguments.of(byName.get("Div x / (x + 3)"), RuleSet.exact().with("Div", ExactRules.TABLE.get("Mul")),
                        Pooling.SWITCH),
                Arguments.of(byName.get("Softmax opset 11 axis 1 (flattened)"), RuleSet.exact().with("Softmax",
                        ExactRules.TABLE.get("Identity")), Pooling.SWITCH),
                Arguments.of(byName.get("Softplus"), RuleSet.exact().with("Softplus", ExactRules.TABLE.get("Sigmoid")),
                        Pooling.SWITCH),
                Arguments.of(byName.get("Pow x^x"), RuleSet.exact().with("Pow", ExactRules.TABLE.get("Mul")),
                        Pooling.SWITCH),
                Arguments.of(byName.get("Selu"), RuleSet.exact().with("Selu", ExactRules.TABLE.get("Elu")),
                        Pooling.SWITCH),
                Arguments.of(byName.get("DepthToSpace CRD opset 11"), RuleSet.exact().with("DepthToSpace",
                        RuleAdjointTest::depthToSpaceAlwaysDcr), Pooling.SWITCH),
                Arguments.of(byName.get("MaxPool overlapping 3x3/2"), RuleSet.exact(), Pooling.CENTER),
                // spread unpooling is AveragePool's adjoint without the divisor
                Arguments.of(byName.get("AveragePool 3x3/2 pads 1 count_include_pad 0"), RuleSet.exact().with(
                        "AveragePool", ExactRules.TABLE.get("MaxPool")), Pooling.SPREAD));
    }

    /** A wrong DepthToSpace rule: SpaceToDepth, the inverse of the DCR mode, whatever the node's mode. */
    private static void depthToSpaceAlwaysDcr(RuleContext ctx) {
        GraphEmitter e = ctx.emit();
        long[] y = ctx.shape(ctx.output(0));
        String folded = e.reshape(ctx.signal(0).orElseThrow(), -1, y[1], y[2], y[3]);
        String back = e.op("SpaceToDepth", List.of(folded), intAttr("blocksize",
                ctx.node().intAttribute("blocksize", 0)));
        ctx.send(0, e.reshapeSignal(back, ctx.shape(ctx.input(0))));
    }

    @ParameterizedTest(name = "{0} with a wrong rule")
    @MethodSource("wrongRules")
    void theCheckCatchesAWrongRule(Case c, RuleSet wrong, Pooling pooling) {
        assertThat(c).isNotNull();
        assertThat(discrepancy(c, wrong, pooling)).as(c.name()).isGreaterThan(10 * c.tol());
    }

    /**
     * The largest {@code |<Jv, w> - <v, J^T w>| / max(sum |Jv_i w_i|, sum |v_i (J^T w)_i|)} over two
     * directions v and two selections w (run as one batch of B = 2).
     */
    private static double discrepancy(Case c, RuleSet rules, Pooling pooling) {
        return discrepancy(c, rules, pooling, false);
    }

    /**
     * As above; with {@code oneChannel} each selection w is random in one channel (the first, the
     * last) and zero elsewhere, as neurons are, so a Conv target starts from that channel alone.
     */
    private static double discrepancy(Case c, RuleSet rules, Pooling pooling, boolean oneChannel) {
        Random rnd = new Random(c.name().hashCode());
        ModelBuilder mb = ModelBuilder.create(c.opset()).name("adjoint");
        G g = new G(mb, rnd);
        String x = mb.input("x", c.shape());
        String y = c.body().build(g, x);
        mb.output(y);
        OnnxModel model = mb.load();
        int n = (int) count(c.shape());
        float[] x0 = c.x().make(rnd, n);
        BackwardSpec spec = new BackwardSpec(y, rules.withPooling(pooling), StartSignal.ONES, false);
        double worst = 0;
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            long[] yShape = engine.shapes(y, c.shape()).get(y);
            int m = (int) count(yShape);
            List<float[]> ws = oneChannel
                    ? List.of(inChannel(uniform(rnd, m, -1, 1), yShape, 0),
                            inChannel(uniform(rnd, m, -1, 1), yShape, yShape[1] - 1))
                    : List.of(uniform(rnd, m, -1, 1), uniform(rnd, m, -1, 1));
            assertThat(engine.compile(spec, c.shape(), oneChannel, false).startsFromChannel())
                    .as("%s starts from one channel", c.name())
                    .isEqualTo(oneChannel && engine.passes().allows("channel-start"));
            BackwardResult r = engine.run(spec, new TensorValue(x, c.shape(), x0), ws);
            long[] expectedShape = c.shape().clone();
            expectedShape[0] = 2;
            assertThat(r.reconstruction().shape()).as(c.name()).containsExactly(expectedShape);
            assertThat(r.target().data()).as("forward value of the target")
                    .containsExactly(forward(engine, x, c.shape(), x0, y));
            List<float[]> jtws = rows(r.reconstruction(), 2);
            for (int d = 0; d < 2; d++) {
                float[] v = uniform(rnd, n, -1, 1);
                float[] plus = forward(engine, x, c.shape(), axpy(x0, c.kind().eps, v), y);
                float[] minus = forward(engine, x, c.shape(), axpy(x0, -c.kind().eps, v), y);
                double[] jv = new double[m];
                for (int k = 0; k < m; k++) {
                    jv[k] = ((double) plus[k] - minus[k]) / (2 * c.kind().eps);
                }
                for (int k = 0; k < ws.size(); k++) {
                    double lhs = dot(jv, ws.get(k));
                    double rhs = dot(v, jtws.get(k));
                    double scale = Math.max(absDot(jv, ws.get(k)), absDot(v, jtws.get(k)));
                    assertThat(scale).as("%s: the test must see a non-zero Jacobian", c.name()).isGreaterThan(1e-3);
                    worst = Math.max(worst, Math.abs(lhs - rhs) / scale);
                }
            }
        }
        return worst;
    }

    /**
     * A single neuron runs on the graph made for one signal (MaxPool's switch unpooling may take
     * another form there): each selection run alone must give its row of the batched run, whose
     * adjointness {@link #adjoint} checks.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pooling")
    void eachSignalAloneGivesItsRowOfTheBatch(Case c) {
        Random rnd = new Random(c.name().hashCode() + 2);
        Built b = Built.of(c, rnd, "alone");
        OnnxModel model = b.model();
        TensorValue input = b.input();
        String y = b.output();
        BackwardSpec spec = new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, false);
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            int m = (int) count(engine.shapes(y, c.shape()).get(y));
            List<float[]> ws = List.of(uniform(rnd, m, -1, 1), uniform(rnd, m, -1, 1));
            List<float[]> batched = rows(engine.run(spec, input, ws).reconstruction(), 2);
            for (int k = 0; k < ws.size(); k++) {
                float[] alone = engine.run(spec, input, List.of(ws.get(k))).reconstruction().data();
                float[] row = batched.get(k);
                assertThat(alone).hasSameSizeAs(row);
                for (int i = 0; i < row.length; i++) {
                    assertThat(alone[i]).as("%s, signal %d, element %d", c.name(), k, i)
                            .isCloseTo(row[i], Offset.offset(1e-5f * (1 + Math.abs(row[i]))));
                }
            }
        }
    }

    /** A case's model (its constants and then an input value drawn from {@code rnd}) and its output. */
    private record Built(OnnxModel model, TensorValue input, String output) {
        static Built of(Case c, Random rnd, String name) {
            ModelBuilder mb = ModelBuilder.create(c.opset()).name(name);
            String x = mb.input("x", c.shape());
            String y = c.body().build(new G(mb, rnd), x);
            mb.output(y);
            return new Built(mb.load(), new TensorValue(x, c.shape(), c.x().make(rnd, (int) count(c.shape()))), y);
        }
    }

    /** {@code w} with every channel but {@code channel} zeroed ({@code shape [1, C, ...]}). */
    private static float[] inChannel(float[] w, long[] shape, long channel) {
        int plane = (int) (count(shape) / shape[1]);
        float[] kept = new float[w.length];
        System.arraycopy(w, (int) channel * plane, kept, (int) channel * plane, plane);
        return kept;
    }

    /** The Conv cases whose backward pass can start from the selected channel alone. */
    static Stream<Case> oneChannelConvolutions() {
        return convolutions().stream().filter(c -> c.name().equals("Conv 3x3 pads 1")
                || c.name().equals("Conv dilations 2") || c.name().startsWith("Conv SAME_") && c.name().endsWith(
                        "even kernel") || c.name().equals("Conv with computed weights"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oneChannelConvolutions")
    void adjointFromOneChannel(Case c) {
        double worst = discrepancy(c, RuleSet.exact(), Pooling.SWITCH, true);
        assertThat(worst).as("%s: largest |<Jv, w> - <v, J^T w>| / scale", c.name()).isLessThanOrEqualTo(c.tol());
    }

    /**
     * With the activation as start signal, the one-channel graph computes the selected channels of
     * the target itself (a Conv with the gathered weights and bias: pads, dilations, automatic
     * padding, computed weights); it must give what the whole graph gives from the whole target.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("oneChannelConvolutions")
    void theSelectedChannelsOfTheTargetAreItsForwardValues(Case c) {
        Random rnd = new Random(c.name().hashCode() + 1);
        Built b = Built.of(c, rnd, "channels");
        OnnxModel model = b.model();
        TensorValue input = b.input();
        String y = b.output();
        BackwardSpec spec = new BackwardSpec(y, RuleSet.exact(), StartSignal.ACTIVATION, false);
        try (BackwardEngine fast = BackwardEngine.open(model, EngineOptions.defaults(), PassSelection.ALL);
                BackwardEngine whole = BackwardEngine.open(model, EngineOptions.defaults(),
                        PassSelection.ALL.without("channel-start"))) {
            long[] yShape = fast.shapes(y, c.shape()).get(y);
            int m = (int) count(yShape);
            List<float[]> ws = List.of(inChannel(uniform(rnd, m, 0.5f, 1f), yShape, 0),
                    inChannel(uniform(rnd, m, 0.5f, 1f), yShape, yShape[1] - 1));
            assertThat(fast.compile(spec, c.shape(), true, false).startsFromChannel()).isTrue();
            List<float[]> got = rows(fast.run(spec, input, ws).reconstruction(), 2);
            List<float[]> want = rows(whole.run(spec, input, ws).reconstruction(), 2);
            for (int k = 0; k < 2; k++) {
                float[] g = got.get(k);
                float[] w = want.get(k);
                double bound = 1e-5 * maxAbs(w) + 1e-30;
                assertThat(maxAbs(w)).as("reaches the input").isGreaterThan(0);
                for (int i = 0; i < w.length; i++) {
                    assertThat((double) Math.abs(g[i] - w[i])).as("%s selection %d element %d", c.name(), k, i)
                            .isLessThanOrEqualTo(bound);
                }
            }
        }
    }

    private static float[] forward(BackwardEngine engine, String x, long[] shape, float[] value, String y) {
        return engine.tracer().run(new TensorValue(x, shape, value)).get(y).data();
    }

    /** Every op of the table is exercised by at least one case above. */
    @Test
    void everyRuleOfTheTableHasACase() {
        Set<String> covered = new TreeSet<>();
        cases().forEach(c -> covered.addAll(c.ops()));
        Set<String> missing = new TreeSet<>(ExactRules.TABLE.keySet());
        missing.removeAll(covered);
        assertThat(missing).as("ops of ExactRules.TABLE without an adjoint case").isEmpty();
    }

    // ---------------------------------------------------------------- centre and spread unpooling

    record PoolCase(String name, long[] shape, long[] kernel, long[] strides, long[] pads, long[] dilations,
            boolean ceil) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<PoolCase> poolCases() {
        return Stream.of(
                new PoolCase("2x2/2", s(1, 2, 6, 6), s(2, 2), s(2, 2), s(0, 0, 0, 0), s(1, 1), false),
                new PoolCase("overlapping 3x3/2", s(1, 2, 7, 7), s(3, 3), s(2, 2), s(0, 0, 0, 0), s(1, 1), false),
                new PoolCase("3x3/2 pads 1", s(1, 3, 6, 7), s(3, 3), s(2, 2), s(1, 1, 1, 1), s(1, 1), false),
                new PoolCase("3x3/1 pads 1", s(1, 1, 5, 5), s(3, 3), s(1, 1), s(1, 1, 1, 1), s(1, 1), false),
                new PoolCase("3x3/2 ceil_mode", s(1, 2, 6, 6), s(3, 3), s(2, 2), s(0, 0, 0, 0), s(1, 1), true),
                new PoolCase("2x3 strides 1x2 asymmetric pads", s(1, 2, 5, 7), s(2, 3), s(1, 2), s(0, 1, 1, 0),
                        s(1, 1), false),
                new PoolCase("4x4/2 pads 1,2", s(1, 2, 8, 9), s(4, 4), s(2, 3), s(1, 2, 2, 1), s(1, 1), false),
                new PoolCase("3x3 dilations 2", s(1, 2, 8, 9), s(3, 3), s(1, 2), s(1, 0, 0, 1), s(2, 2), false));
    }

    @ParameterizedTest(name = "center: {0}")
    @MethodSource("poolCases")
    void centerUnpoolingMatchesItsDefinition(PoolCase p) {
        checkUnpooling(p, Pooling.CENTER);
    }

    @ParameterizedTest(name = "spread: {0}")
    @MethodSource("poolCases")
    void spreadUnpoolingMatchesItsDefinition(PoolCase p) {
        checkUnpooling(p, Pooling.SPREAD);
    }

    private static void checkUnpooling(PoolCase p, Pooling pooling) {
        Random rnd = new Random(p.name().hashCode() + pooling.ordinal());
        ModelBuilder mb = ModelBuilder.create(13).name("unpool");
        String x = mb.input("x", p.shape());
        String y = mb.node("MaxPool", List.of(x), ints("kernel_shape", p.kernel()), ints("strides", p.strides()),
                ints("pads", p.pads()), ints("dilations", p.dilations()), intAttr("ceil_mode", p.ceil() ? 1 : 0));
        mb.output(y);
        int n = (int) count(p.shape());
        float[] x0 = uniform(rnd, n, -1, 1);
        try (BackwardEngine engine = BackwardEngine.open(mb.load(), EngineOptions.defaults())) {
            long[] yShape = engine.shapes(y, p.shape()).get(y);
            int m = (int) count(yShape);
            List<float[]> ws = List.of(uniform(rnd, m, -1, 1), uniform(rnd, m, -1, 1), uniform(rnd, m, -1, 1));
            BackwardResult r = engine.run(new BackwardSpec(y, RuleSet.exact().withPooling(pooling), StartSignal.ONES, false),
                    new TensorValue(x, p.shape(), x0), ws);
            List<float[]> got = rows(r.reconstruction(), ws.size());
            for (int k = 0; k < ws.size(); k++) {
                double[] want = unpool(p, yShape, ws.get(k), pooling == Pooling.CENTER);
                float[] actual = got.get(k);
                assertThat(actual).hasSize(want.length);
                for (int i = 0; i < want.length; i++) {
                    assertThat((double) actual[i]).as("%s %s, selection %d, input element %d", pooling, p, k, i)
                            .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(want[i]))));
                }
            }
            // a centre hit counts once per window, a spread cell once per covering window: totals tell them apart
            double total = 0;
            for (float v : got.get(0)) {
                total += v;
            }
            double selected = 0;
            for (float v : ws.get(0)) {
                selected += v;
            }
            if (pooling == Pooling.CENTER) {
                assertThat(total).isCloseTo(selected, org.assertj.core.data.Offset.offset(1e-4 * m));
            }
        }
    }

    /** The reference semantics, written out: each pooled cell sends its signal to the centre or the whole window. */
    private static double[] unpool(PoolCase p, long[] yShape, float[] w, boolean center) {
        int c = (int) p.shape()[1];
        int h = (int) p.shape()[2];
        int wd = (int) p.shape()[3];
        int oh = (int) yShape[2];
        int ow = (int) yShape[3];
        double[] out = new double[c * h * wd];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double s = w[(ch * oh + i) * ow + j];
                    long r0 = i * p.strides()[0] - p.pads()[0];
                    long c0 = j * p.strides()[1] - p.pads()[1];
                    if (center) {
                        long r = Math.max(0, Math.min(h - 1, r0 + (p.kernel()[0] / 2) * p.dilations()[0]));
                        long q = Math.max(0, Math.min(wd - 1, c0 + (p.kernel()[1] / 2) * p.dilations()[1]));
                        out[(int) ((ch * h + r) * wd + q)] += s;
                        continue;
                    }
                    for (long a = 0; a < p.kernel()[0]; a++) {
                        for (long b = 0; b < p.kernel()[1]; b++) {
                            long r = r0 + a * p.dilations()[0];
                            long q = c0 + b * p.dilations()[1];
                            if (r >= 0 && r < h && q >= 0 && q < wd) {
                                out[(int) ((ch * h + r) * wd + q)] += s;
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
