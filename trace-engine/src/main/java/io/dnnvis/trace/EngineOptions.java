package io.dnnvis.trace;

/**
 * How ONNX Runtime sessions are made.
 *
 * @param provider CPU (default) or CUDA
 * @param threads intra-op threads; 0 = one per processor available to the JVM
 */
public record EngineOptions(ExecutionProvider provider, int threads) {

    public EngineOptions {
        if (provider == null) {
            throw new IllegalArgumentException("provider must not be null");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
    }

    public static EngineOptions defaults() {
        return new EngineOptions(ExecutionProvider.CPU, 0);
    }

    public EngineOptions withProvider(ExecutionProvider p) {
        return new EngineOptions(p, threads);
    }

    public EngineOptions withThreads(int t) {
        return new EngineOptions(provider, t);
    }
}
