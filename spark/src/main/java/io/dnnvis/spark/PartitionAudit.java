package io.dnnvis.spark;

import io.dnnvis.methods.audit.AuditImage;
import io.dnnvis.methods.audit.AuditTally;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

/**
 * One partition of the Spark audit: its files ({@code path}, {@code content} rows of the
 * {@code binaryFile} source) decoded and run through the executor's shared session in batches; the
 * result is the partition's {@link AuditTally} (K per unit, the predictions, the files that could
 * not be decoded), which the driver reduces.
 */
final class PartitionAudit implements FlatMapFunction<Iterator<Row>, AuditTally> {

    private static final long serialVersionUID = 1L;

    /** Thrown by the test hook {@link JobSettings#failOnceInPartition()}. */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(int partition) {
            super("test hook: the first attempt of partition " + partition + " fails");
        }
    }

    private static final AtomicInteger INJECTED = new AtomicInteger();

    private final JobSettings settings;
    private final Broadcast<byte[]> model;

    PartitionAudit(JobSettings settings, Broadcast<byte[]> model) {
        this.settings = settings;
        this.model = model;
    }

    @Override
    public Iterator<AuditTally> call(Iterator<Row> rows) throws IOException {
        TaskContext task = TaskContext.get();
        int cpus = task == null ? 1 : task.cpus();
        ExecutorSessions.Session session = ExecutorSessions.get(settings, cpus, model::value);
        AuditTally tally = AuditTally.empty(session.layers(), settings.top());
        int perImage = session.forward().perImage();
        int batchSize = session.forward().batchSize();
        float[] batch = new float[batchSize * perImage];
        List<String> names = new ArrayList<>();
        Path scratch = Files.createTempDirectory("dnnvis-spark-images");
        try {
            while (rows.hasNext()) {
                Row row = rows.next();
                AuditImage image = decode(scratch, row.getString(0), row.getAs(1), session);
                if (image.skipped() != null) {
                    tally.skip(image.skipped());
                    continue;
                }
                System.arraycopy(image.data(), 0, batch, names.size() * perImage, perImage);
                names.add(image.file());
                if (names.size() == batchSize) {
                    session.forward().run(batch, names, tally);
                    names.clear();
                }
            }
            session.forward().run(batch, names, tally);
        } finally {
            deleteFolder(scratch);
        }
        if (task != null && task.partitionId() == settings.failOnceInPartition() && task.attemptNumber() == 0) {
            INJECTED.incrementAndGet();
            throw new InjectedFailure(task.partitionId());
        }
        return List.of(tally).iterator();
    }

    /** How many failures the test hook injected in this JVM. */
    static int injectedFailures() {
        return INJECTED.get();
    }

    /** The file's bytes decoded as the local audit decodes a file (through a scratch copy with its name). */
    private AuditImage decode(Path scratch, String path, byte[] content, ExecutorSessions.Session session) {
        String name = settings.nameOf(path);
        String base = name.substring(name.lastIndexOf('/') + 1);
        Path copy = scratch.resolve(base.isEmpty() ? "image" : base);
        try {
            Files.write(copy, content);
            return AuditImage.decode(copy, name, session.vis().model(), settings.imageOptions(),
                    session.vis().layout(), session.inputShape());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a scratch copy of " + path, e);
        } finally {
            copy.toFile().delete();
        }
    }

    private static void deleteFolder(Path dir) {
        dir.toFile().delete();
    }
}
