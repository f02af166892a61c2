package io.dnnvis.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.dnnvis.cli.BenchCommand.Forward;
import io.dnnvis.cli.BenchCommand.Measured;
import io.dnnvis.cli.BenchCommand.Timing;
import io.dnnvis.onnx.Layer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;

/** Everything one {@code dnnvis bench} run prints, as text or as one JSON object (docs/performance.md). */
record BenchReport(String model, Layer layer, String method, Measured measured, Forward forward, long[] inputShape,
        int threads, int warmup, int repeat, long peakHeapBytes, OptionalLong peakRssBytes) {

    private static final double BYTES_PER_MB = 1024.0 * 1024.0;

    /** What the timed call did: reconstructed some neurons, or occluded a number of windows. */
    sealed interface Work {

        /** Text for the report's first line, e.g. {@code neurons 16}. */
        String describe();
    }

    /** A backward net's call: this many reconstructions. */
    record Reconstructions(int neurons) implements Work {
        @Override
        public String describe() {
            return "neurons " + neurons;
        }
    }

    /**
     * Occlusion's call: the window and stride asked for, the windows and batch it ran, the score target
     * (null for layer occlusion), which computation ran ({@code full} or {@code incremental: ...}) and,
     * with {@code --approx}, the maximum relative error against the exact map.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Occlusion(int window, int stride, int windows, int batch, String target, String path,
            Double approxError) implements Work {
        @Override
        public String describe() {
            return "window " + window + ", stride " + stride + ", windows " + windows + ", batch " + batch
                    + (target == null ? "" : ", target " + target) + ", " + path
                    + (approxError == null ? "" : String.format(java.util.Locale.ROOT, ", max relative error %.3g",
                            approxError));
        }
    }

    /** An attribution method's call: its target, and its steps (Integrated Gradients) or samples (SmoothGrad). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Attribution(String target, Integer steps, Integer samples) implements Work {
        @Override
        public String describe() {
            return "target " + target + (steps != null ? ", steps " + steps : "")
                    + (samples != null ? ", samples " + samples : "");
        }
    }

    /**
     * {@code bench --json}: times in milliseconds and memory in MB with three decimals; the RSS fields
     * are null where there is no {@code /proc}. The work's fields come after {@code method}:
     * {@code neurons} for a backward net; {@code window}, {@code stride}, {@code windows}, {@code batch}
     * for occlusion; {@code target} and {@code steps} or {@code samples} for attribution methods.
     */
    record BenchJson(String model, String layer, String method, @JsonUnwrapped Work work,
            @JsonProperty("input_shape") long[] inputShape,
            int threads, int warmup, int repeat,
            @JsonProperty("session_ms") BigDecimal sessionMs,
            @JsonProperty("median_ms") BigDecimal medianMs,
            @JsonProperty("min_ms") BigDecimal minMs,
            @JsonProperty("max_ms") BigDecimal maxMs,
            @JsonProperty("forward_median_ms") BigDecimal forwardMedianMs,
            @JsonProperty("open_ms") BigDecimal openMs,
            @JsonProperty("forward_session_ms") BigDecimal forwardSessionMs,
            @JsonProperty("peak_heap_mb") BigDecimal peakHeapMb,
            @JsonProperty("peak_rss_mb") BigDecimal peakRssMb,
            @JsonProperty("rss_after_warmup_mb") BigDecimal rssAfterWarmupMb,
            @JsonProperty("rss_end_mb") BigDecimal rssEndMb) {
    }

    String json() {
        Timing t = measured.timing();
        return Json.write(new BenchJson(model, layerName(), method, measured.work(), inputShape, threads, warmup,
                repeat, number(measured.sessionMs()), number(t.medianMs()), number(t.minMs()), number(t.maxMs()),
                number(forward.timing().medianMs()), number(measured.openMs()), number(forward.sessionMs()),
                number(peakHeapBytes / BYTES_PER_MB),
                peakRssBytes.isPresent() ? number(peakRssBytes.getAsLong() / BYTES_PER_MB) : null,
                megabytesOrNull(t.rssAfterWarmupBytes()), megabytesOrNull(t.rssEndBytes())));
    }

    String text() {
        Timing t = measured.timing();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "bench %s %s (%s) %s %s, input %s, threads %s%n", model, layerName(),
                layer.op(), method, measured.work().describe(), Arrays.toString(inputShape),
                threads == 0 ? "auto" : threads));
        b.append(String.format(Locale.ROOT, "first call  %10.2f ms  (open %.2f ms, then compile + session build"
                + " + run)%n", measured.sessionMs(), measured.openMs()));
        b.append(String.format(Locale.ROOT, "median      %10.2f ms  (min %.2f, max %.2f; %d runs after %d warm-up)%n",
                t.medianMs(), t.minMs(), t.maxMs(), repeat, warmup));
        double floor = forward.timing().medianMs();
        b.append(String.format(Locale.ROOT, "forward     %10.2f ms  (median, forward graph truncated at the layer;"
                + " the call above is %.2fx this; its session took %.2f ms)%n", floor, t.medianMs() / floor,
                forward.sessionMs()));
        b.append(String.format(Locale.ROOT, "peak heap   %10.1f MB%n", peakHeapBytes / BYTES_PER_MB));
        b.append(peakRssBytes.isPresent()
                ? String.format(Locale.ROOT, "peak RSS    %10.1f MB", peakRssBytes.getAsLong() / BYTES_PER_MB)
                : "peak RSS           n/a");
        if (t.rssAfterWarmupBytes() >= 0 && t.rssEndBytes() >= 0) {
            b.append(String.format(Locale.ROOT, "%nRSS         %10.1f MB after the warm-up, %.1f MB after the last call",
                    t.rssAfterWarmupBytes() / BYTES_PER_MB, t.rssEndBytes() / BYTES_PER_MB));
        }
        return b.toString();
    }

    private String layerName() {
        return layer.alias().isEmpty() ? layer.tensor() : layer.alias();
    }

    private static BigDecimal megabytesOrNull(long bytes) {
        return bytes < 0 ? null : number(bytes / BYTES_PER_MB);
    }

    /** Three decimals, as the JSON has always written them ({@code 12.000}). */
    private static BigDecimal number(double v) {
        return BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_UP);
    }
}
