import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.BatchedForward;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.ExecutionProvider;
import java.util.List;
import java.util.Random;

/**
 * The forward-only rate an audit is compared with: the same batched forward run as {@code dnnvis
 * audit} (the layer and the model's outputs from one run, {@code BatchedForward}), on inputs already
 * decoded (random values), images per second. Run from the repository root after a build:
 * {@code java -cp cli/target/dnnvis.jar docs/bench/AuditForwardRate.java MODEL LAYER BATCH IMAGES [THREADS]}
 */
public class AuditForwardRate {
    public static void main(String[] args) {
        OnnxModel model = OnnxModel.load(java.nio.file.Path.of(args[0]));
        String tensor = model.graph().layer(args[1]).tensor();
        int batch = Integer.parseInt(args[2]);
        int images = Integer.parseInt(args[3]);
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        long[] one = {1, 3, 224, 224};
        var dims = model.graph().inputs().get(0).shape().orElseThrow();
        for (int k = 1; k < 4; k++) {
            if (dims.get(k).isFixed()) {
                one[k] = dims.get(k).value();
            }
        }
        int per = (int) (one[1] * one[2] * one[3]);
        float[] data = new float[batch * per];
        Random rnd = new Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextFloat();
        }
        EngineOptions options = new EngineOptions(ExecutionProvider.CPU, threads, EngineOptions.defaults().maxTensorBytes());
        try (BatchedForward forward = BatchedForward.open(model, List.of(tensor), one, options)) {
            int n = forward.batchable() ? batch : 1;
            float[] in = n == batch ? data : java.util.Arrays.copyOf(data, per);
            for (int w = 0; w < 3; w++) {
                forward.run(in, n);
            }
            long start = System.nanoTime();
            int done = 0;
            while (done < images) {
                forward.run(in, n);
                done += n;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(java.util.Locale.ROOT, "forward only, %s + outputs, batch %d: %d images in %.2f s = %.1f images/s%n",
                    args[1], n, done, seconds, done / seconds);
        }
    }
}
