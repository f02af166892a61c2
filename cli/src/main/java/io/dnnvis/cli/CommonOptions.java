package io.dnnvis.cli;

import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.ExecutionProvider;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every model command shares: device, threads, load limits, verbosity. */
final class CommonOptions {

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda",
            description = "Execution provider (default: ${DEFAULT-VALUE}); cuda needs the gpu build.")
    ExecutionProvider device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "T", converter = Bounded.Threads.class,
            description = "ONNX Runtime intra-op threads; 0 = one per available processor (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-tensor-bytes", defaultValue = "" + LoadOptions.DEFAULT_MAX_TENSOR_BYTES, paramLabel = "BYTES",
            converter = Bounded.PositiveLong.class,
            description = "Refuse models, and runs at the input's size, with a tensor larger than this (default: ${DEFAULT-VALUE}).")
    long maxTensorBytes;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces of internal errors.")
    boolean verbose;

    OnnxModel loadModel(Path model) {
        return OnnxModel.load(model, LoadOptions.defaults().withMaxTensorBytes(maxTensorBytes));
    }

    EngineOptions engineOptions() {
        return new EngineOptions(device, threads, maxTensorBytes);
    }
}
