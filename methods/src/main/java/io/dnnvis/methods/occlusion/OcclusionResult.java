package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.render.SaliencyMap;
import io.dnnvis.onnx.Layer;
import io.dnnvis.trace.TensorValue;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of an {@link OcclusionRequest}: layer occlusion's {@code [C, Hs, Ws]} norm changes or
 * score occlusion's {@code [H, W]} map, with the run's statistics. Immutable.
 */
public final class OcclusionResult {

    private final OcclusionRequest request;
    private final Layer layer;
    private final TensorValue values;
    private final int windows;
    private final BatchPlan plan;
    private final boolean batched;
    private final Duration elapsed;

    OcclusionResult(OcclusionRequest request, Layer layer, TensorValue values, int windows, BatchPlan plan,
            boolean batched, Duration elapsed) {
        this.request = request;
        this.layer = layer;
        this.values = values;
        this.windows = windows;
        this.plan = plan;
        this.batched = batched;
        this.elapsed = elapsed;
    }

    public OcclusionRequest request() {
        return request;
    }

    /** The layer whose tensor was watched (for a class target: the layer producing the model output). */
    public Layer layer() {
        return layer;
    }

    /** The score target, empty for layer occlusion. */
    public Optional<Target> target() {
        return request.targetScore();
    }

    /** Whether this is score occlusion ({@code [H, W]}) rather than layer occlusion ({@code [C, Hs, Ws]}). */
    public boolean isScoreOcclusion() {
        return request.targetScore().isPresent();
    }

    /** The values as a host tensor: {@code [C, Hs, Ws]} or {@code [H, W]}. */
    public TensorValue tensor() {
        return values;
    }

    /** The values as a new ND4J array: {@code [C, Hs, Ws]} or {@code [H, W]}. */
    public INDArray values() {
        return values.toINDArray();
    }

    public long[] shape() {
        return values.shape();
    }

    /** Number of channels of layer occlusion (1 for score occlusion). */
    public int channels() {
        return isScoreOcclusion() ? 1 : (int) values.shape()[0];
    }

    /**
     * One map: score occlusion's {@code [H, W]} map, or for layer occlusion the channels' norm
     * changes summed ({@code [Hs, Ws]}).
     */
    public SaliencyMap map() {
        long[] s = values.shape();
        if (isScoreOcclusion()) {
            return SaliencyMap.of(values.data(), (int) s[0], (int) s[1]);
        }
        int cells = (int) (s[1] * s[2]);
        float[] data = values.data();
        float[] sum = new float[cells];
        for (int c = 0; c < s[0]; c++) {
            for (int p = 0; p < cells; p++) {
                sum[p] += data[c * cells + p];
            }
        }
        return SaliencyMap.of(sum, (int) s[1], (int) s[2]);
    }

    /** Channel {@code c}'s norm change of layer occlusion, {@code [Hs, Ws]}. */
    public SaliencyMap map(int channel) {
        if (isScoreOcclusion()) {
            return map();
        }
        long[] s = values.shape();
        if (channel < 0 || channel >= s[0]) {
            throw new BadRequestException("channel " + channel + " does not exist in layer '" + layer.alias()
                    + "' (channels 0.." + (s[0] - 1) + ")");
        }
        int cells = (int) (s[1] * s[2]);
        float[] one = java.util.Arrays.copyOfRange(values.data(), channel * cells, (channel + 1) * cells);
        return SaliencyMap.of(one, (int) s[1], (int) s[2]);
    }

    /**
     * The {@code count} channels whose norms change most (largest L2 norm of their change map),
     * strongest first; ties by channel number.
     */
    public int[] strongestChannels(int count) {
        int channels = channels();
        long[] s = values.shape();
        int cells = isScoreOcclusion() ? values.data().length : (int) (s[1] * s[2]);
        float[] data = values.data();
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

    /** How many windows (occluded images) were evaluated. */
    public int windows() {
        return windows;
    }

    /** Images per ONNX Runtime call. */
    public int batch() {
        return plan.images();
    }

    /** How the batch was chosen: requested, fitting limit, estimated bytes per image. */
    public BatchPlan batchPlan() {
        return plan;
    }

    /** False when the model's graph pins its batch and images ran one at a time. */
    public boolean batched() {
        return batched;
    }

    /** Wall time of the run, session creation included. */
    public Duration elapsed() {
        return elapsed;
    }
}
