package io.dnnvis.trace;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.StringStringEntryProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
     * A session for {@code model}. Large float initializers whose bytes are off the Java heap (a
     * loaded file's memory map) do not travel inside the serialized model: they are marked external
     * and handed to ONNX Runtime from where they are, so no serialized copy of the weights is made on the Java
     * heap (AlexNet's full-model session: 1.9 s instead of 3-4 s on the benchmark VM).
     *
     * @param modelFile named in error messages
     * @throws EngineException when CUDA is requested but missing, or ONNX Runtime refuses the model
     */
    public static OrtSession create(ModelProto model, EngineOptions options, Path modelFile) {
        return create(model, options, modelFile, optimizationsFor(model));
    }

    private static OrtSession.SessionOptions.OptLevel optimizationsFor(ModelProto model) {
        return model.getGraph().getNodeCount() > LARGE_GRAPH_NODES
                ? OrtSession.SessionOptions.OptLevel.NO_OPT : OrtSession.SessionOptions.OptLevel.ALL_OPT;
    }

    /**
     * A session for {@code model} whose intra-op threads do not spin after a run: for many small
     * sessions run one after the other (incremental occlusion runs a dozen per batch), where threads
     * left spinning by one session take the cores from the next (AlexNet conv3 patches: 100 ms per
     * run among the other sessions against 35 ms alone), and for a model whose runs alternate with
     * other work on the same cores (the audit decodes its next images between runs).
     */
    public static OrtSession createWithoutSpinning(ModelProto model, EngineOptions options, Path modelFile) {
        return create(model, options, modelFile, optimizationsFor(model),
                Map.of("session.intra_op.allow_spinning", "0"));
    }

    /**
     * Graphs with more nodes than this are built without ONNX Runtime's graph optimizations, whose
     * time grows with the square of the node count: a compiled backward graph of a 5,000-node chain
     * (about 12,500 nodes) took 24 s to build with them and 4.5 s without; of a 2,000-node chain
     * 2.8 s and 1.2 s. The backward graphs of the CNNs in the benchmarks and the conformance suite
     * stay far below it and keep every optimization.
     */
    static final int LARGE_GRAPH_NODES = 8_000;

    /**
     * A session built with the given graph optimizations: {@code NO_OPT} for a session that only
     * infers shapes (ONNX Runtime's optimizers cost time quadratic in the outputs of a graph that
     * exposes every node output).
     */
    static OrtSession create(ModelProto model, EngineOptions options, Path modelFile,
            OrtSession.SessionOptions.OptLevel optimizations) {
        return create(model, options, modelFile, optimizations, Map.of());
    }

    private static OrtSession create(ModelProto model, EngineOptions options, Path modelFile,
            OrtSession.SessionOptions.OptLevel optimizations, Map<String, String> config) {
        OrtEnvironment env = environment();
        Map<String, OnnxTensor> weights = new LinkedHashMap<>();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            so.setOptimizationLevel(optimizations);
            so.setInterOpNumThreads(1);
            so.setIntraOpNumThreads(intraOpThreads(options));
            // No memory pattern: with it ONNX Runtime plans the tensors' places on the first run and
            // takes one fresh block for them on the second, so two runs (not one) pay for touching new
            // memory; without it the arena's blocks serve the second run already, and later runs are as
            // fast (AlexNet conv5, 64 neurons, 2 cores: runs 1,024 / 918 / 357 ms with the pattern,
            // 1,071 / 380 / 386 ms without; one neuron 9.01 vs 9.02 ms).
            so.setMemoryPatternOptimization(false);
            for (Map.Entry<String, String> e : config.entrySet()) {
                so.addConfigEntry(e.getKey(), e.getValue());
            }
            if (options.provider() == ExecutionProvider.CUDA) {
                addCuda(so);
            }
            ModelProto stripped = externalizeWeights(env, model, weights);
            if (!weights.isEmpty()) {
                so.addExternalInitializers(new LinkedHashMap<String, OnnxTensorLike>(weights));
            }
            return env.createSession(stripped.toByteArray(), so);
        } catch (OrtException e) {
            throw new ModelRefusedException(modelFile + ": ONNX Runtime refused the model: " + oneLine(e.getMessage()), e);
        } finally {
            weights.values().forEach(OnnxTensor::close); // ONNX Runtime has copied them into the session
        }
    }

    /** Float initializers with at least this many bytes of raw data are handed over as external initializers. */
    static final int EXTERNAL_WEIGHT_BYTES = 64 * 1024;

    /** A placeholder file name; ONNX Runtime never reads it, the external initializers replace the data. */
    private static final String EXTERNAL_LOCATION = "dnnvis-weights.bin";

    private static ModelProto externalizeWeights(OrtEnvironment env, ModelProto model, Map<String, OnnxTensor> out)
            throws OrtException {
        GraphProto graph = model.getGraph();
        GraphProto.Builder g = null;
        for (int k = 0; k < graph.getInitializerCount(); k++) {
            TensorProto t = graph.getInitializer(k);
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE || t.getRawData().size() < EXTERNAL_WEIGHT_BYTES
                    || out.containsKey(t.getName())) {
                continue;
            }
            ByteBuffer data = t.getRawData().asReadOnlyByteBuffer();
            if (!data.isDirect()) {
                continue; // bytes on the Java heap (a model loaded from bytes): serialized as they are
            }
            long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            out.put(t.getName(), OnnxTensor.createTensor(env, data, dims, OnnxJavaType.FLOAT));
            if (g == null) {
                g = graph.toBuilder();
            }
            g.setInitializer(k, t.toBuilder().clearRawData()
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", EXTERNAL_LOCATION))
                    .addExternalData(entry("offset", "0"))
                    .addExternalData(entry("length", Integer.toString(t.getRawData().size()))));
        }
        return g == null ? model : model.toBuilder().setGraph(g).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
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

    /** Closes a session (none when null); a failure to close leaves nothing more to do, so it is not reported. */
    public static void closeQuietly(OrtSession session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            // the native session is gone either way
        }
    }

    /** ONNX Runtime's message, on one line and cut to a readable length ({@link Quoted#message}). */
    static String oneLine(String s) {
        return Quoted.message(s == null ? "" : s.replaceAll("\\s+", " "));
    }
}
