package io.dnnvis.onnx;

/**
 * Limits applied while loading an untrusted model.
 *
 * @param maxTensorBytes largest initializer, constant or declared input dnnvis will accept
 * @param maxNodes largest node count accepted
 * @param maxConstants largest count of initializers and Constant nodes together: ONNX Runtime's
 *     cost of building a session grows with the square of that count (tiny initializers, 2 cores,
 *     {@code dnnvis layers}: 10,000 take 1.5 s, 30,000 4.3 s, 100,000 42 s, 300,000 over 5 minutes),
 *     so a hostile file could otherwise stall every command
 */
public record LoadOptions(long maxTensorBytes, int maxNodes, int maxConstants) {

    /** 2 GiB per tensor: as large as one protobuf message can be. */
    public static final long DEFAULT_MAX_TENSOR_BYTES = (1L << 31) - 1;
    public static final int DEFAULT_MAX_NODES = 1_000_000;
    /**
     * About 10 s of ONNX Runtime's session building at worst; real models hold hundreds to a few
     * thousand (PaddleOCR's detector: 395 Constant nodes of its 712).
     */
    public static final int DEFAULT_MAX_CONSTANTS = 50_000;

    public LoadOptions {
        if (maxTensorBytes <= 0) {
            throw new IllegalArgumentException("maxTensorBytes must be positive, got " + maxTensorBytes);
        }
        if (maxNodes <= 0) {
            throw new IllegalArgumentException("maxNodes must be positive, got " + maxNodes);
        }
        if (maxConstants <= 0) {
            throw new IllegalArgumentException("maxConstants must be positive, got " + maxConstants);
        }
    }

    /** Limits of tensor bytes and nodes, the default limit of constants. */
    public LoadOptions(long maxTensorBytes, int maxNodes) {
        this(maxTensorBytes, maxNodes, DEFAULT_MAX_CONSTANTS);
    }

    public static LoadOptions defaults() {
        return new LoadOptions(DEFAULT_MAX_TENSOR_BYTES, DEFAULT_MAX_NODES, DEFAULT_MAX_CONSTANTS);
    }

    public LoadOptions withMaxTensorBytes(long bytes) {
        return new LoadOptions(bytes, maxNodes, maxConstants);
    }

    public LoadOptions withMaxConstants(int constants) {
        return new LoadOptions(maxTensorBytes, maxNodes, constants);
    }
}
