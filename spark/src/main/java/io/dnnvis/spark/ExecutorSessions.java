package io.dnnvis.spark;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.audit.Audit;
import io.dnnvis.methods.audit.AuditForward;
import io.dnnvis.methods.audit.AuditLayer;
import io.dnnvis.trace.EngineOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;

/**
 * The model sessions of one executor JVM, shared by all its tasks (concurrent ones too: a session's
 * runs are thread-safe) and kept across tasks and jobs: a task asks for the session of its model
 * (by SHA-256), its settings and its CPUs, and the first to ask opens it from the broadcast bytes.
 * ONNX Runtime gets as many intra-op threads as the task has CPUs, so the executor's concurrent
 * tasks use its cores without oversubscription. The sessions live as long as the JVM.
 */
final class ExecutorSessions {

    /** An open model with its audit step. */
    record Session(Visualizer vis, AuditForward forward, long[] inputShape, List<AuditLayer> layers) {
    }

    private static final Map<String, Session> OPEN = new ConcurrentHashMap<>();
    private static final AtomicInteger OPENED = new AtomicInteger();

    private ExecutorSessions() {
    }

    /** The session for {@code settings} with {@code cpus} threads, opened from {@code modelBytes} the first time. */
    static Session get(JobSettings settings, int cpus, Supplier<byte[]> modelBytes) {
        String key = settings.modelSha256() + "|" + settings.layers() + "|" + settings.batch() + "|"
                + settings.preprocessing() + "|" + settings.resize() + "|" + java.util.Arrays.toString(settings.size())
                + "|" + settings.maxPixels() + "|threads=" + cpus;
        return OPEN.computeIfAbsent(key, k -> open(settings, cpus, modelBytes.get()));
    }

    /** The cores of {@code task} ({@code spark.task.cpus}), 1 outside a task ({@code null}). */
    static int cpus(TaskContext task) {
        return task == null ? 1 : task.cpus();
    }

    /** How many sessions this JVM has opened (for tests: one per model and settings, not one per task). */
    static int opened() {
        return OPENED.get();
    }

    private static Session open(JobSettings settings, int cpus, byte[] bytes) {
        Path file = modelFile(settings, bytes);
        EngineOptions engine = EngineOptions.defaults().withThreads(Math.max(1, cpus));
        Visualizer vis = Visualizer.open(file, engine);
        try {
            Audit audit = Audit.on(vis, engine, settings.request(), settings.imageOptions());
            long[] inputShape = audit.inputShape();
            List<AuditLayer> layers = audit.layers();
            AuditForward forward = AuditForward.open(vis, engine, settings.request(), inputShape, layers);
            OPENED.incrementAndGet();
            return new Session(vis, forward, inputShape, layers);
        } catch (RuntimeException e) {
            vis.close();
            throw e;
        }
    }

    /** The model's bytes in a file of this JVM's temporary folder (ONNX Runtime and the importer read files). */
    private static Path modelFile(JobSettings settings, byte[] bytes) {
        try {
            Path dir = Files.createTempDirectory("dnnvis-spark-" + settings.modelSha256().substring(0, 12));
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(settings.modelName());
            Files.write(file, bytes);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model into a temporary file", e);
        }
    }
}
