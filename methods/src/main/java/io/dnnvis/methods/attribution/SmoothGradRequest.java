package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Target;
import java.util.Objects;
import java.util.Optional;

/**
 * SmoothGrad (Smilkov et al. 2017): the gradients ds/dx at {@code samples} noisy copies
 * {@code x + e}, {@code e ~ N(0, sigma²)} per element, {@code sigma = noise * (max x - min x)},
 * drawn from {@code seed}; combined by {@code mode}. {@code [1, C, H, W]}.
 */
public record SmoothGradRequest(Optional<Target> target, int samples, double noise, long seed, SmoothGradMode mode)
        implements AttributionRequest {

    public static final int DEFAULT_SAMPLES = 50;
    public static final double DEFAULT_NOISE = 0.15;
    public static final int MAX_SAMPLES = 100_000;

    public SmoothGradRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        if (samples < 1 || samples > MAX_SAMPLES) {
            throw new BadRequestException("--samples must be 1 to " + MAX_SAMPLES + ", got " + samples);
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new BadRequestException("--noise must be a number >= 0 (a fraction of the input's range), got "
                    + noise);
        }
        Requests.refuseNeuronTarget(target);
    }

    /** The top class, 50 samples, noise 0.15, seed 0, the mean. */
    public static SmoothGradRequest defaults() {
        return new SmoothGradRequest(Optional.empty(), DEFAULT_SAMPLES, DEFAULT_NOISE, 0, SmoothGradMode.SMOOTHGRAD);
    }

    public SmoothGradRequest target(Target t) {
        return new SmoothGradRequest(Optional.of(t), samples, noise, seed, mode);
    }

    public SmoothGradRequest samples(int n, double fraction, long s) {
        return new SmoothGradRequest(target, n, fraction, s, mode);
    }

    public SmoothGradRequest mode(SmoothGradMode m) {
        return new SmoothGradRequest(target, samples, noise, seed, m);
    }

    @Override
    public String method() {
        return mode.label();
    }
}
