package io.dnnvis.onnx;

/**
 * Limits applied while loading an untrusted model.
 *
 * @param maxTensorBytes largest initializer, constant or declared input dnnvis will accept
 * @param maxNodes largest node count accepted
 */
public record LoadOptions(long maxTensorBytes, int maxNodes) {

    /** 2 GiB per tensor: as large as one protobuf message can be. */
    public static final long DEFAULT_MAX_TENSOR_BYTES = (1L << 31) - 1;
    public static final int DEFAULT_MAX_NODES = 1_000_000;

    public LoadOptions {
        if (maxTensorBytes <= 0) {
            throw new IllegalArgumentException("maxTensorBytes must be positive, got " + maxTensorBytes);
        }
        if (maxNodes <= 0) {
            throw new IllegalArgumentException("maxNodes must be positive, got " + maxNodes);
        }
    }

    public static LoadOptions defaults() {
        return new LoadOptions(DEFAULT_MAX_TENSOR_BYTES, DEFAULT_MAX_NODES);
    }

    public LoadOptions withMaxTensorBytes(long bytes) {
        return new LoadOptions(bytes, maxNodes);
    }
}
