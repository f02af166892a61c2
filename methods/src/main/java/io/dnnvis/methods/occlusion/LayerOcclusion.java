package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.trace.TensorValue;
import java.util.Arrays;

/**
 * The original library's layer occlusion: window centres at 0, s, 2s, ... of the image; per channel
 * c of the watched layer and centre (i, j), the L2 norm of c's map for the occluded image minus that
 * for the original, {@code [C, Hs, Ws]}.
 */
final class LayerOcclusion implements OcclusionMethod {

    private final int window;
    private final int stride;
    private final ChannelNorms norms;

    private LayerOcclusion(int window, int stride, ChannelNorms norms) {
        this.window = window;
        this.stride = stride;
        this.norms = norms;
    }

    /** Layer occlusion of {@code request}'s layer, whose values have {@code layerShape} per image. */
    static LayerOcclusion of(OcclusionRequest request, long[] layerShape) {
        if (layerShape.length < 2) {
            throw new BadRequestException("layer '" + request.layer().orElseThrow() + "' has shape "
                    + Arrays.toString(layerShape) + "; layer occlusion needs a channel axis");
        }
        return new LayerOcclusion(request.window(), request.stride(), new ChannelNorms(layerShape));
    }

    @Override
    public WindowGrid grid(int height, int width) {
        return WindowGrid.centred(height, width, window, stride);
    }

    @Override
    public TensorValue run(WindowSweep sweep, Occluder occluder, WindowGrid grid, int batch,
            OcclusionProgress progress) {
        double[] base = norms.of(sweep.unoccluded(), 0);
        int channels = norms.channels();
        int cells = grid.count();
        float[] change = new float[channels * cells];
        sweep.run(grid, batch, progress, (w, outputs, offset) -> {
            double[] n = norms.of(outputs, offset);
            for (int c = 0; c < channels; c++) {
                change[c * cells + w] = (float) (n[c] - base[c]);
            }
        });
        return TensorValue.owning("occlusion", new long[] {channels, grid.rows(), grid.cols()}, change);
    }
}
