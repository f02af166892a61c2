package io.dnnvis.trace;

import java.util.Locale;

/** Where ONNX Runtime runs the graphs. */
public enum ExecutionProvider {
    CPU,
    /** NVIDIA GPUs; needs the {@code gpu} build ({@code mvn -Pgpu package}) and CUDA on the machine. */
    CUDA;

    public static ExecutionProvider parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown execution provider '" + text + "' (cpu or cuda)");
        }
    }
}
