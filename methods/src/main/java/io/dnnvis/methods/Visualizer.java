package io.dnnvis.methods;

import io.dnnvis.methods.occlusion.OcclusionBuilder;
import io.dnnvis.methods.occlusion.OcclusionEngine;
import io.dnnvis.methods.occlusion.OcclusionRequest;
import io.dnnvis.methods.occlusion.OcclusionResult;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import io.dnnvis.trace.backward.BackwardEngine;
import java.nio.file.Path;

/**
 * The entry point of the library: a model opened for visualization.
 *
 * <pre>{@code
 * try (Visualizer vis = Visualizer.open(Path.of("alexnet.onnx"))) {
 *     Reconstruction r = vis.desalinet().layer("conv4").neurons(10).run(input);
 *     INDArray a = r.values();   // [1, 3, H, W]
 * }
 * }</pre>
 *
 * <p>Thread-safe: requests may run from many threads at once; compiled sessions are shared.
 * Closing waits for runs in flight.
 */
public final class Visualizer implements AutoCloseable {

    private final OnnxModel model;
    private final BackwardEngine engine;
    private final OcclusionEngine occlusion;

    private Visualizer(OnnxModel model, EngineOptions options) {
        this.model = model;
        this.engine = BackwardEngine.open(model, options);
        this.occlusion = OcclusionEngine.open(model, options, engine::shapes);
    }

    public static Visualizer open(Path modelFile) {
        return open(OnnxModel.load(modelFile), EngineOptions.defaults());
    }

    public static Visualizer open(Path modelFile, EngineOptions options) {
        return open(OnnxModel.load(modelFile), options);
    }

    public static Visualizer open(OnnxModel model, EngineOptions options) {
        return new Visualizer(model, options);
    }

    public OnnxModel model() {
        return model;
    }

    /** The forward tracer of this model (predictions, activations). */
    public Tracer tracer() {
        return engine.tracer();
    }

    BackwardEngine engine() {
        return engine;
    }

    public BackwardRequest deconvnet() {
        return method(BackwardMethod.DECONVNET);
    }

    public BackwardRequest salinet() {
        return method(BackwardMethod.SALINET);
    }

    public BackwardRequest desalinet() {
        return method(BackwardMethod.DESALINET);
    }

    public BackwardRequest method(BackwardMethod method) {
        return BackwardRequest.start(this, method);
    }

    /**
     * An occlusion request on this model (layer occlusion, or score occlusion with a target):
     * {@code vis.occlusion().layer("conv5").window(15).stride(8).run(input)}.
     */
    public OcclusionBuilder occlusion() {
        return occlusion.builder();
    }

    /** Runs an occlusion request on one input image {@code [1, C, H, W]}. */
    public OcclusionResult run(OcclusionRequest request, TensorValue input) {
        return occlusion.run(request, input);
    }

    /** Closes the occlusion and backward sessions; waits for runs in flight. */
    @Override
    public void close() {
        try {
            occlusion.close();
        } finally {
            engine.close();
        }
    }
}
