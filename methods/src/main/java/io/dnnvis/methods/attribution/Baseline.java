package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.trace.TensorValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Where Integrated Gradients' path starts: {@code zero}, a given tensor (the model's layout and
 * the input's shape), {@code mean} (each channel filled with the input's mean of that channel), or
 * {@code blur[:SIGMA]} (the input blurred by a Gaussian of SIGMA pixels, by default an eighth of the
 * smaller side: the image with its detail gone, as Sturmfels et al. 2020 discuss).
 */
public sealed interface Baseline permits Baseline.Zero, Baseline.Given, Baseline.ChannelMean, Baseline.Blur {

    /** The baseline for {@code input} (one image in {@code layout}), a new array of its shape. */
    float[] values(TensorValue input, InputLayout layout);

    /** How it reads in reports, e.g. {@code zero} or {@code blur:8.0}. */
    String label();

    record Zero() implements Baseline {
        @Override
        public float[] values(TensorValue input, InputLayout layout) {
            return new float[input.data().length];
        }

        @Override
        public String label() {
            return "zero";
        }
    }

    /** A baseline tensor, e.g. read from a {@code .npy} file ({@code source} names it). */
    record Given(TensorValue tensor, String source) implements Baseline {
        public Given {
            Objects.requireNonNull(tensor, "tensor");
            Objects.requireNonNull(source, "source");
        }

        @Override
        public float[] values(TensorValue input, InputLayout layout) {
            if (!Arrays.equals(tensor.shape(), input.shape())) {
                throw new BadRequestException(source + ": baseline shape " + Arrays.toString(tensor.shape())
                        + " does not match the input's " + Arrays.toString(input.shape()));
            }
            tensor.requireFinite(source);
            return tensor.data().clone();
        }

        @Override
        public String label() {
            return source;
        }
    }

    record ChannelMean() implements Baseline {
        @Override
        public float[] values(TensorValue input, InputLayout layout) {
            long[] nchw = layout.toNchwShape(input.shape());
            int plane = (int) (nchw[2] * nchw[3]);
            float[] x = layout.toNchw(input.data(), input.shape());
            float[] out = new float[x.length];
            for (int c = 0; c < nchw[1]; c++) {
                double sum = 0;
                for (int p = 0; p < plane; p++) {
                    sum += x[c * plane + p];
                }
                java.util.Arrays.fill(out, c * plane, (c + 1) * plane, (float) (sum / plane));
            }
            return layout.fromNchw(out, nchw);
        }

        @Override
        public String label() {
            return "mean";
        }
    }

    /**
     * The largest blur sigma, in pixels: its kernel has 60,001 taps, and with clamped edges a larger
     * one gives the same baseline on any image a model takes.
     */
    double MAX_BLUR_SIGMA = 10_000;

    /** A Gaussian blur of the input, sigma in pixels (0: an eighth of the smaller side), edges clamped. */
    record Blur(double sigma) implements Baseline {
        public Blur {
            if (!(sigma >= 0) || !(sigma <= MAX_BLUR_SIGMA)) {
                throw new BadRequestException("blur sigma must be a number from 0 to " + (int) MAX_BLUR_SIGMA
                        + ", got " + sigma);
            }
        }

        @Override
        public float[] values(TensorValue input, InputLayout layout) {
            long[] nchw = layout.toNchwShape(input.shape());
            int height = (int) nchw[2];
            int width = (int) nchw[3];
            int plane = height * width;
            double[] kernel = GaussianKernel.of(sigma > 0 ? sigma : Math.min(height, width) / 8.0);
            float[] x = layout.toNchw(input.data(), input.shape());
            float[] out = new float[x.length];
            double[] values = new double[plane];
            double[] rows = new double[plane];
            for (int c = 0; c < nchw[1]; c++) {
                for (int p = 0; p < plane; p++) {
                    values[p] = x[c * plane + p];
                }
                GaussianKernel.blurRows(values, rows, height, width, kernel);
                GaussianKernel.blurColumns(rows, values, height, width, kernel);
                for (int p = 0; p < plane; p++) {
                    out[c * plane + p] = (float) values[p];
                }
            }
            return layout.fromNchw(out, nchw);
        }

        @Override
        public String label() {
            return sigma > 0 ? "blur:" + sigma : "blur";
        }
    }

    /**
     * {@code zero}, {@code mean}, {@code blur} or {@code blur:SIGMA}; a file is read by the caller
     * and given as {@link Given}.
     *
     * @throws BadRequestException for anything else
     */
    static Baseline parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("zero")) {
            return new Zero();
        }
        if (t.equals("mean")) {
            return new ChannelMean();
        }
        if (t.equals("blur")) {
            return new Blur(0);
        }
        if (t.startsWith("blur:")) {
            double sigma;
            try {
                sigma = Double.parseDouble(t.substring(5));
            } catch (NumberFormatException e) {
                throw new BadRequestException("bad blur sigma in --baseline '" + text + "' (blur:SIGMA, SIGMA in pixels)");
            }
            if (!(sigma > 0 && sigma <= MAX_BLUR_SIGMA)) {
                throw new BadRequestException("blur sigma in --baseline '" + text + "' must be above 0 and at most "
                        + (int) MAX_BLUR_SIGMA + " pixels (blur alone: an eighth of the smaller side)");
            }
            return new Blur(sigma);
        }
        throw new BadRequestException("unknown --baseline '" + text + "' (zero, mean, blur[:SIGMA] or a .npy file)");
    }
}
