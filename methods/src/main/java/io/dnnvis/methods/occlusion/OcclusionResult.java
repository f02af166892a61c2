package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.render.SaliencyMap;
import io.dnnvis.onnx.Layer;
import io.dnnvis.trace.TensorValue;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of an occlusion run: layer occlusion's {@code [C, Hs, Ws]} norm changes or score
 * occlusion's {@code [H, W]} map, with the run's statistics. Holds its values: usable after the
 * engine (or Visualizer) is closed. The shapes are the same whatever the input's layout (NCHW or
 * NHWC): H and W are the input's rows and columns, C the watched layer's channels.
 *
 * @param request what ran
 * @param layer the layer whose tensor was watched (for a class target: the layer producing the model output)
 * @param tensor the values: {@code [C, Hs, Ws]} or {@code [H, W]}
 * @param windows how many windows (occluded images) were evaluated
 * @param batchPlan how the batch was chosen: requested, fitting limit, estimated bytes per image
 * @param batchable false when the model's graph pins its batch and the images ran one at a time
 * @param elapsed wall time of the run (with the truncated session's creation on the first run of a layer)
 * @param path which computation ran: {@code full}, or {@code incremental: ...} with how far it patched
 * @param approxError with {@code approx} above 0: the largest difference from the exact map, relative to
 *     the exact map's largest magnitude ({@code max |approx - exact| / max |exact|}); NaN for an exact run
 */
public record OcclusionResult(OcclusionRequest request, Layer layer, TensorValue tensor, int windows,
        BatchPlan batchPlan, boolean batchable, Duration elapsed, String path, double approxError) {

    /** An exact result computed in full. */
    public OcclusionResult(OcclusionRequest request, Layer layer, TensorValue tensor, int windows,
            BatchPlan batchPlan, boolean batchable, Duration elapsed) {
        this(request, layer, tensor, windows, batchPlan, batchable, elapsed, "full", Double.NaN);
    }

    public OcclusionResult {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(batchPlan, "batchPlan");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(path, "path");
    }

    /** Whether the incremental computation ran. */
    public boolean incremental() {
        return path.contains("incremental");
    }

    /** This result with {@link #approxError} set to {@code error}. */
    public OcclusionResult withApproxError(double error) {
        return new OcclusionResult(request, layer, tensor, windows, batchPlan, batchable, elapsed, path, error);
    }

    /**
     * The largest difference between two maps of the same shape, relative to the largest magnitude of
     * {@code exact} (positions where either is NaN, which no window covers, left out; 0 when both are 0).
     */
    public static double relativeError(float[] approx, float[] exact) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < exact.length; i++) {
            if (!Float.isNaN(exact[i]) && !Float.isNaN(approx[i])) {
                diff = Math.max(diff, Math.abs((double) approx[i] - exact[i]));
                scale = Math.max(scale, Math.abs((double) exact[i]));
            }
        }
        return diff == 0 ? 0 : diff / scale;
    }

    /** The values as a new ND4J array: {@code tensor().toINDArray()}. */
    public INDArray values() {
        return tensor.toINDArray();
    }

    public long[] shape() {
        return tensor.shape();
    }

    /** The score target, empty for layer occlusion. */
    public Optional<Target> target() {
        return request.target();
    }

    /** Whether this is score occlusion ({@code [H, W]}) rather than layer occlusion ({@code [C, Hs, Ws]}). */
    public boolean isScoreOcclusion() {
        return request.isScoreOcclusion();
    }

    /** Images per ONNX Runtime run: the batch used, {@code batchPlan().images()}. */
    public int batch() {
        return batchPlan.images();
    }

    /** Number of channels of layer occlusion (1 for score occlusion). */
    public int channels() {
        return isScoreOcclusion() ? 1 : (int) tensor.shape()[0];
    }

    /**
     * One map: score occlusion's {@code [H, W]} map, or for layer occlusion the channels' norm
     * changes summed ({@code [Hs, Ws]}).
     */
    public SaliencyMap map() {
        long[] s = tensor.shape();
        float[] data = tensor.data();
        if (isScoreOcclusion()) {
            return SaliencyMap.of(data, (int) s[0], (int) s[1]);
        }
        int cells = (int) (s[1] * s[2]);
        float[] sum = new float[cells];
        for (int c = 0; c < s[0]; c++) {
            for (int p = 0; p < cells; p++) {
                sum[p] += data[c * cells + p];
            }
        }
        return SaliencyMap.of(sum, (int) s[1], (int) s[2]);
    }

    /** Channel {@code c}'s norm change of layer occlusion, {@code [Hs, Ws]}; score occlusion's map. */
    public SaliencyMap map(int channel) {
        if (isScoreOcclusion()) {
            return map();
        }
        long[] s = tensor.shape();
        if (channel < 0 || channel >= s[0]) {
            throw new BadRequestException("channel " + channel + " does not exist in layer '" + layer.alias()
                    + "' (channels 0.." + (s[0] - 1) + ")");
        }
        int cells = (int) (s[1] * s[2]);
        float[] one = Arrays.copyOfRange(tensor.data(), channel * cells, (channel + 1) * cells);
        return SaliencyMap.of(one, (int) s[1], (int) s[2]);
    }

    /**
     * The {@code count} channels whose norms change most (largest L2 norm of their change map),
     * strongest first; ties by channel number.
     */
    public int[] strongestChannels(int count) {
        int channels = channels();
        float[] data = tensor.data();
        int cells = data.length / channels;
        double[] strength = new double[channels];
        for (int c = 0; c < channels; c++) {
            for (int p = c * cells; p < (c + 1) * cells; p++) {
                if (Float.isFinite(data[p])) {
                    strength[c] += (double) data[p] * data[p];
                }
            }
        }
        return IntStream.range(0, channels).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -strength[c]).thenComparingInt(c -> c))
                .limit(Math.max(0, count)).mapToInt(Integer::intValue).toArray();
    }
}
