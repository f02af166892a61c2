package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A gate that an exporter writes as several nodes ending in a Mul, recognised from the forward graph
 * at that Mul (operands in either order):
 * <ul>
 *   <li>SiLU: {@code Mul(x, Sigmoid(x))}, derivative {@code s (1 + x (1 - s))} with {@code s = sigmoid(x)};</li>
 *   <li>HardSwish as PyTorch exports it before opset 14: {@code Mul(x, HardSigmoid(x))}, derivative
 *       {@code h + alpha x [0 < alpha x + beta < 1]} (the HardSigmoid's alpha, beta);</li>
 *   <li>GELU as PyTorch exports it: {@code Mul(Mul(x, Add(Erf(Div(x, c)), 1)), k)} with {@code c = sqrt 2}
 *       ({@code Mul(x, 1/c)} as well) and {@code k = 1/2}, the three factors in any nesting; derivative
 *       {@code k a + k x (2 / (c sqrt pi)) exp(-(x/c)^2)} with {@code a = 1 + erf(x/c)}.</li>
 * </ul>
 * The derivatives read the forward tensors of the composite (s, h, a). x must have the Mul's shape.
 */
sealed interface CompositeGate {

    /** The composite's input. */
    String x();

    /** Emits {@code g'(x)}, shaped as x. */
    String derivative(GraphEmitter e);

    /** The composite gate that the Mul of {@code ctx} ends, if it ends one. */
    static Optional<CompositeGate> at(RuleContext ctx) {
        String a = ctx.input(0);
        String b = ctx.input(1);
        Optional<CompositeGate> found = product(ctx, a, b).or(() -> product(ctx, b, a))
                .or(() -> Gelu.at(ctx, a, b)).or(() -> Gelu.at(ctx, b, a));
        return found.filter(g -> Arrays.equals(ctx.shape(g.x()), ctx.shape(ctx.output(0))));
    }

    /** {@code x * f(x)} with f a Sigmoid or a HardSigmoid of x. */
    private static Optional<CompositeGate> product(RuleContext ctx, String x, String f) {
        Optional<Node> p = ctx.producer(f).filter(n -> n.inputs().size() == 1 && n.inputs().get(0).equals(x));
        if (p.isEmpty()) {
            return Optional.empty();
        }
        Node n = p.get();
        return switch (n.opType()) {
            case "Sigmoid" -> Optional.of(new Silu(x, f));
            case "HardSigmoid" -> Optional.of(new HardSwish(x, f,
                    n.attribute("alpha").map(v -> v.asFloat()).orElse(0.2f),
                    n.attribute("beta").map(v -> v.asFloat()).orElse(0.5f)));
            default -> Optional.empty();
        };
    }

    /** SiLU (Swish): {@code x * s}, {@code s = sigmoid(x)}. */
    record Silu(String x, String s) implements CompositeGate {
        @Override
        public String derivative(GraphEmitter e) {
            return e.mul(s, e.add(e.scalar(1f), e.mul(x, e.sub(e.scalar(1f), s))));
        }
    }

    /** {@code x * h}, {@code h = hardsigmoid(x) = clamp(alpha x + beta, 0, 1)}. */
    record HardSwish(String x, String h, float alpha, float beta) implements CompositeGate {
        @Override
        public String derivative(GraphEmitter e) {
            String z = e.add(e.mul(x, e.scalar(alpha)), e.scalar(beta));
            return e.add(h, e.mul(PointwiseRule.between(e, z, 0f, 1f), e.mul(x, e.scalar(alpha))));
        }
    }

    /** GELU: {@code k * x * a}, {@code a = 1 + erf(x / c)}. */
    record Gelu(String x, String a, float k, float c) implements CompositeGate {

        private static final double SQRT2 = Math.sqrt(2);

        @Override
        public String derivative(GraphEmitter e) {
            String u = e.div(x, e.scalar(c));
            String density = e.op("Exp", List.of(e.neg(e.mul(u, u))));
            float scale = (float) (k * 2 / (c * Math.sqrt(Math.PI)));
            return e.add(e.mul(a, e.scalar(k)), e.mul(e.mul(x, density), e.scalar(scale)));
        }

        /** {@code Mul(outer, inner)} with inner a Mul, the three factors x, a and k in any places. */
        static Optional<CompositeGate> at(RuleContext ctx, String outer, String inner) {
            Optional<Node> mul = ctx.producer(inner).filter(n -> n.opType().equals("Mul") && n.inputs().size() == 2);
            if (mul.isEmpty()) {
                return Optional.empty();
            }
            List<String> factors = List.of(outer, mul.get().inputs().get(0), mul.get().inputs().get(1));
            for (int ki = 0; ki < 3; ki++) {
                Optional<Float> k = scalar(ctx, factors.get(ki)).filter(v -> v == 0.5f);
                for (int ai = 0; ai < 3 && k.isPresent(); ai++) {
                    if (ai == ki) {
                        continue;
                    }
                    String x = factors.get(3 - ki - ai);
                    Optional<Float> c = erfTerm(ctx, factors.get(ai), x);
                    if (c.isPresent()) {
                        return Optional.of(new Gelu(x, factors.get(ai), k.get(), c.get()));
                    }
                }
            }
            return Optional.empty();
        }

        /** c, where {@code a = Add(Erf(Div(x, c)), 1)} (or {@code Mul(x, 1/c)}) and c is sqrt 2 to 1e-4. */
        private static Optional<Float> erfTerm(RuleContext ctx, String a, String x) {
            Optional<Node> add = ctx.producer(a).filter(n -> n.opType().equals("Add") && n.inputs().size() == 2);
            if (add.isEmpty()) {
                return Optional.empty();
            }
            List<String> terms = add.get().inputs();
            for (int i = 0; i < 2; i++) {
                if (scalar(ctx, terms.get(1 - i)).filter(v -> v == 1f).isEmpty()) {
                    continue;
                }
                Optional<Node> erf = ctx.producer(terms.get(i)).filter(n -> n.opType().equals("Erf"));
                Optional<Float> c = erf.flatMap(n -> ctx.producer(n.inputs().get(0))).flatMap(n -> divisor(ctx, n, x));
                if (c.isPresent() && Math.abs(c.get() - SQRT2) < 1e-4) {
                    return c;
                }
            }
            return Optional.empty();
        }

        /** c where {@code n} is {@code Div(x, c)} or {@code Mul(x, 1/c)} ({@code Mul(1/c, x)}). */
        private static Optional<Float> divisor(RuleContext ctx, Node n, String x) {
            List<String> in = n.inputs();
            if (in.size() != 2) {
                return Optional.empty();
            }
            return switch (n.opType()) {
                case "Div" -> in.get(0).equals(x) ? scalar(ctx, in.get(1)) : Optional.empty();
                case "Mul" -> (in.get(0).equals(x) ? scalar(ctx, in.get(1))
                        : in.get(1).equals(x) ? scalar(ctx, in.get(0)) : Optional.<Float>empty()).map(r -> 1 / r);
                default -> Optional.empty();
            };
        }
    }

    /** The value of a constant tensor with one element. */
    private static Optional<Float> scalar(RuleContext ctx, String tensor) {
        return tensor.isEmpty() ? Optional.empty()
                : ctx.constant(tensor).filter(t -> t.elementCount() == 1).map(Tensor::toFloatArray).map(v -> v[0]);
    }
}
