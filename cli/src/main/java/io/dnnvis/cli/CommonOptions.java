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
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "T",
            description = "ONNX Runtime intra-op threads; 0 = one per available processor (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-tensor-bytes", defaultValue = "" + LoadOptions.DEFAULT_MAX_TENSOR_BYTES, paramLabel = "BYTES",
            description = "Refuse models with a tensor larger than this (default: ${DEFAULT-VALUE}).")
    long maxTensorBytes;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces of internal errors.")
    boolean verbose;

    OnnxModel loadModel(Path model) {
        if (maxTensorBytes <= 0) {
            throw new UserException("--max-tensor-bytes must be positive, got " + maxTensorBytes);
        }
        return OnnxModel.load(model, LoadOptions.defaults().withMaxTensorBytes(maxTensorBytes));
    }

    EngineOptions engineOptions() {
        if (threads < 0) {
            throw new UserException("--threads must be >= 0, got " + threads);
        }
        ExecutionProvider provider;
        try {
            provider = ExecutionProvider.parse(device);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        return new EngineOptions(provider, threads);
    }
}
