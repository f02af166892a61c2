package io.dnnvis.trace;

import io.dnnvis.onnx.LoadOptions;

/**
 * How ONNX Runtime sessions are made and how large their tensors may be.
 *
 * @param provider CPU (default) or CUDA
 * @param threads intra-op threads; 0 = one per processor available to the JVM
 * @param maxTensorBytes the largest tensor a run may compute, checked from the shapes before it runs
 *     (see {@link ActivationCheck}); by default the models' load limit,
 *     {@link LoadOptions#DEFAULT_MAX_TENSOR_BYTES}
 */
public record EngineOptions(ExecutionProvider provider, int threads, long maxTensorBytes) {

    public EngineOptions {
        if (provider == null) {
            throw new IllegalArgumentException("provider must not be null");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        if (maxTensorBytes <= 0) {
            throw new IllegalArgumentException("maxTensorBytes must be positive, got " + maxTensorBytes);
        }
    }

    /** Options with the default tensor limit. */
    public EngineOptions(ExecutionProvider provider, int threads) {
        this(provider, threads, LoadOptions.DEFAULT_MAX_TENSOR_BYTES);
    }

    public static EngineOptions defaults() {
        return new EngineOptions(ExecutionProvider.CPU, 0);
    }

    public EngineOptions withProvider(ExecutionProvider p) {
        return new EngineOptions(p, threads, maxTensorBytes);
    }

    public EngineOptions withThreads(int t) {
        return new EngineOptions(provider, t, maxTensorBytes);
    }

    public EngineOptions withMaxTensorBytes(long bytes) {
        return new EngineOptions(provider, threads, bytes);
    }
}
