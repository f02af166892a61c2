package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.TensorValue;
import java.util.Map;

/**
 * Captum's {@code Occlusion}: windows start at 0, s, 2s, ... with the last cut at the border; each
 * pixel gets the mean drop of the target score over the windows covering it (NaN where none does),
 * {@code [H, W]}.
 */
final class ScoreOcclusion implements OcclusionMethod {

    private final int window;
    private final int stride;
    private final ScoreReader reader;

    private ScoreOcclusion(int window, int stride, ScoreReader reader) {
        this.window = window;
        this.stride = stride;
        this.reader = reader;
    }

    /**
     * Score occlusion of {@code request}'s target, read from {@code tensor}'s values per image
     * ({@code shapes}: the graph's tensors for one image, {@code tensor}'s included).
     */
    static ScoreOcclusion of(OnnxModel model, OcclusionRequest request, String tensor, Map<String, long[]> shapes,
            InputLayout layout) {
        return new ScoreOcclusion(request.window(), request.stride(), ScoreReader.of(model,
                request.target().orElseThrow(), request.layer().orElse(""), tensor, shapes, layout));
    }

    @Override
    public WindowGrid grid(int height, int width) {
        return WindowGrid.cornerAligned(height, width, window, stride);
    }

    @Override
    public TensorValue run(WindowSweep sweep, Occluder occluder, WindowGrid grid, int batch,
            OcclusionProgress progress) {
        int h = occluder.height();
        int w = occluder.width();
        double base = reader.score(sweep.unoccluded(), 0);
        double[] sum = new double[h * w];
        int[] covered = new int[h * w];
        sweep.run(grid, batch, progress, (k, outputs, offset) -> {
            double drop = base - reader.score(outputs, offset);
            WindowGrid.Window win = grid.window(k);
            for (int y = win.top(); y < win.bottom(); y++) {
                for (int x = win.left(); x < win.right(); x++) {
                    sum[y * w + x] += drop;
                    covered[y * w + x]++;
                }
            }
        });
        float[] map = new float[h * w];
        for (int p = 0; p < map.length; p++) {
            map[p] = covered[p] == 0 ? Float.NaN : (float) (sum[p] / covered[p]);
        }
        return TensorValue.owning("occlusion", new long[] {h, w}, map);
    }
}
