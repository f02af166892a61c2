package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.BadRequestException;
import java.util.Objects;
import java.util.Optional;

/**
 * What an occlusion run does: slide a window of the fill colour over the image and watch a layer.
 * A plain immutable value that checks its own fields on construction; whether the layer, the
 * target and the input fit the model is checked by the {@link OcclusionEngine} that runs it.
 *
 * <ul>
 *   <li><b>Layer occlusion</b> (no target): the original library's method. Window centres at rows
 *       and columns 0, s, 2s, ... of the image, each window k x k (k odd) clipped to it; the result
 *       {@code [C, Hs, Ws]} holds, per channel c of the layer and centre (i, j), the L2 norm of
 *       channel c's map for the occluded image minus that for the original.
 *   <li><b>Score occlusion</b> (with a target): Captum's {@code Occlusion}. Windows start at 0, s,
 *       2s, ... with {@code ceil((D-k)/s) + 1} positions per axis, the last cut at the border; each
 *       pixel gets the mean of {@code score(original) - score(occluded)} over the windows covering it
 *       (NaN where none does, possible only when s > k). The result is {@code [H, W]}.
 * </ul>
 *
 * @param layer the layer to watch: alias ({@code conv5}), node name or tensor name; empty only for
 *     a class or output target, which watches a model output
 * @param window the window size k in pixels: odd and positive
 * @param stride the distance s between windows in pixels: positive
 * @param fill what the window is painted with
 * @param target the score of score occlusion; empty for layer occlusion
 * @param batch occluded images per ONNX Runtime run; 0 picks one from the layer's size (see
 *     {@link BatchPlan}); a batch above what fits in memory, or that would make a tensor larger than
 *     the engine's {@code maxTensorBytes}, is cut down to what fits
 * @param memoryCap about how many bytes the occluded images of one run may take; 0 for the default,
 *     {@link BatchPlan#defaultMemoryCap()} (from the machine's available memory)
 * @param incremental whether to recompute only what each window changes (issue 22); the same values either way
 * @param approx Krypton's projective-field threshold TAU in [0, 1): 0 for the exact map; above 0 the
 *     incremental computation skips the positions of a changed box whose receptive field the change
 *     covers less than TAU of (faster, approximate)
 */
public record OcclusionRequest(Optional<String> layer, int window, int stride, Fill fill, Optional<Target> target,
        int batch, long memoryCap, IncrementalMode incremental, double approx) {

    /** @throws BadRequestException for a window, stride or batch out of range, or no layer where one is needed */
    public OcclusionRequest {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(fill, "fill");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(incremental, "incremental");
        if (!(approx >= 0 && approx < 1)) {
            throw new BadRequestException("approx threshold must be in [0, 1), got " + approx);
        }
        if (approx > 0 && incremental == IncrementalMode.OFF) {
            throw new BadRequestException("approx needs the incremental computation (not incremental off)");
        }
        if (window <= 0 || window % 2 == 0) {
            throw new BadRequestException("window must be odd and positive, got " + window);
        }
        if (stride <= 0) {
            throw new BadRequestException("stride must be positive, got " + stride);
        }
        if (batch < 0) {
            throw new BadRequestException("batch must be positive (or 0 for automatic), got " + batch);
        }
        if (memoryCap < 0) {
            throw new BadRequestException("memory cap must be positive (or 0 for the default), got " + memoryCap);
        }
        if (layer.isEmpty() && target.map(Target::needsLayer).orElse(true)) {
            throw new BadRequestException("no layer given");
        }
    }

    /** An exact request, incremental as {@link IncrementalMode#fromProperty()} says. */
    public OcclusionRequest(Optional<String> layer, int window, int stride, Fill fill, Optional<Target> target,
            int batch, long memoryCap) {
        this(layer, window, stride, fill, target, batch, memoryCap, IncrementalMode.fromProperty(), 0);
    }

    /** A request with the default memory cap. */
    public OcclusionRequest(Optional<String> layer, int window, int stride, Fill fill, Optional<Target> target,
            int batch) {
        this(layer, window, stride, fill, target, batch, 0);
    }

    /** Whether this is score occlusion ({@code [H, W]}) rather than layer occlusion ({@code [C, Hs, Ws]}). */
    public boolean isScoreOcclusion() {
        return target.isPresent();
    }

    @Override
    public String toString() {
        String what = target.isPresent() ? target.get() + layer.map(l -> " of " + l).orElse("")
                : "layer " + layer.orElseThrow();
        return "occlusion(" + what + ", window " + window + ", stride " + stride + ", fill " + fill
                + (batch == 0 ? "" : ", batch " + batch) + (memoryCap == 0 ? "" : ", memory cap " + memoryCap)
                + (incremental == IncrementalMode.AUTO ? "" : ", incremental " + incremental.label())
                + (approx == 0 ? "" : ", approx " + approx) + ")";
    }
}
