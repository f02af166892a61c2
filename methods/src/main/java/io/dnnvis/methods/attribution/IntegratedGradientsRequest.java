package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Target;
import java.util.Objects;
import java.util.Optional;

/**
 * Integrated Gradients (Sundararajan et al. 2017): {@code (x - b) * sum_i w_i ds/dx} at
 * {@code b + alpha_i (x - b)}, the points and weights of {@code quadrature} for {@code steps};
 * {@code [1, C, H, W]}, with the convergence delta {@code sum(attribution) - (s(x) - s(b))}.
 */
public record IntegratedGradientsRequest(Optional<Target> target, int steps, Quadrature quadrature, Baseline baseline)
        implements AttributionRequest {

    /** Captum's defaults: 50 steps, Gauss–Legendre. */
    public static final int DEFAULT_STEPS = 50;
    /** The most steps one request may take. */
    public static final int MAX_STEPS = 100_000;

    public IntegratedGradientsRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(quadrature, "quadrature");
        Objects.requireNonNull(baseline, "baseline");
        if (steps > MAX_STEPS) {
            throw new BadRequestException("--steps must be at most " + MAX_STEPS + ", got " + steps);
        }
        quadrature.points(steps); // refuses too few steps
        Requests.refuseNeuronTarget(target);
    }

    /** The top class, 50 Gauss–Legendre steps from a zero baseline. */
    public static IntegratedGradientsRequest defaults() {
        return new IntegratedGradientsRequest(Optional.empty(), DEFAULT_STEPS, Quadrature.GAUSS_LEGENDRE,
                new Baseline.Zero());
    }

    public IntegratedGradientsRequest target(Target t) {
        return new IntegratedGradientsRequest(Optional.of(t), steps, quadrature, baseline);
    }

    public IntegratedGradientsRequest steps(int n, Quadrature q) {
        return new IntegratedGradientsRequest(target, n, q, baseline);
    }

    public IntegratedGradientsRequest from(Baseline b) {
        return new IntegratedGradientsRequest(target, steps, quadrature, b);
    }

    @Override
    public String method() {
        return "integrated-gradients";
    }
}
