package io.dnnvis.trace;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;

/** Makes ONNX Runtime sessions from model bytes with dnnvis's options. */
public final class OrtSessions {

    private OrtSessions() {
    }

    /**
     * The process-wide ONNX Runtime environment, logging only fatal errors: every failure reaches the
     * caller as an exception with the message, so nothing else is printed.
     */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "dnnvis");
    }

    /** Whether this build and machine can run the CUDA execution provider. */
    public static boolean cudaAvailable() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    /**
     * A session for {@code model}.
     *
     * @param modelFile named in error messages
     * @throws EngineException when CUDA is requested but missing, or ONNX Runtime refuses the model
     */
    public static OrtSession create(byte[] model, EngineOptions options, Path modelFile) {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setInterOpNumThreads(1);
            so.setIntraOpNumThreads(intraOpThreads(options));
            if (options.provider() == ExecutionProvider.CUDA) {
                addCuda(so);
            }
            return env.createSession(model, so);
        } catch (OrtException e) {
            throw new ModelRefusedException(modelFile + ": ONNX Runtime refused the model: " + oneLine(e.getMessage()), e);
        }
    }

    /**
     * The intra-op threads of a session: the option, or one per processor the JVM may use (ONNX
     * Runtime's own default counts physical cores, which leaves half of a hyper-threaded or
     * container-limited machine idle: 23 ms instead of 15 ms for AlexNet conv5 on 2 vCPUs).
     */
    static int intraOpThreads(EngineOptions options) {
        return options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
    }

    private static void addCuda(OrtSession.SessionOptions so) {
        if (!cudaAvailable()) {
            throw new EngineException("CUDA was requested but this dnnvis build has no CUDA execution provider: "
                    + "build with 'mvn -Pgpu package' (onnxruntime_gpu) and run on a machine with an NVIDIA GPU, "
                    + "CUDA 12 and cuDNN 9, or use --device cpu");
        }
        try {
            so.addCUDA(0);
        } catch (OrtException e) {
            throw new EngineException("the CUDA execution provider failed to start (" + oneLine(e.getMessage())
                    + "); check the NVIDIA driver, CUDA 12 and cuDNN 9, or use --device cpu", e);
        }
    }

    /** Closes a session; a failure to close leaves nothing more to do, so it is not reported. */
    public static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            // the native session is gone either way
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
