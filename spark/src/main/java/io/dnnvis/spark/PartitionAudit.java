package io.dnnvis.spark;

import io.dnnvis.methods.audit.AuditImage;
import io.dnnvis.methods.audit.AuditTally;
import io.dnnvis.methods.audit.ImageDecoder;
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
 * {@code binaryFile} source) decoded on a thread of their own ({@link ImageDecoder}, as the local audit
 * decodes) and run through the executor's shared session in batches; the
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
    public Iterator<AuditTally> call(Iterator<Row> rows) {
        TaskContext task = TaskContext.get();
        int cpus = ExecutorSessions.cpus(task);
        ExecutorSessions.Session session = ExecutorSessions.get(settings, cpus, model::value);
        AuditTally tally = AuditTally.empty(session.layers(), settings.top());
        int perImage = session.forward().perImage();
        int batchSize = session.forward().batchSize();
        float[] batch = new float[batchSize * perImage];
        List<String> names = new ArrayList<>();
        // the files are read and decoded on the task's cores between the model's runs (its threads take them all)
        try (ImageDecoder decoder = ImageDecoder.start(rows, 0, row -> decode(row, session), batchSize,
                ImageDecoder.Schedule.forCores(cpus, cpus))) {
            for (ImageDecoder.Item item = decoder.next(); item != null; item = decoder.next()) {
                if (item.skipped() != null) {
                    tally.skip(item.skipped());
                    continue;
                }
                System.arraycopy(item.data(), 0, batch, names.size() * perImage, perImage);
                names.add(item.file());
                if (names.size() == batchSize) {
                    decoder.whileModelRuns(() -> session.forward().run(batch, names, tally));
                    names.clear();
                }
            }
        }
        session.forward().run(batch, names, tally);
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

    /** A {@code binaryFile} row ({@code path}, {@code content}) decoded as the local audit decodes the file. */
    private AuditImage decode(Row row, ExecutorSessions.Session session) {
        return AuditImage.decode((byte[]) row.getAs(1), settings.nameOf(row.getString(0)), session.vis().model(),
                settings.imageOptions(), session.vis().layout(), session.inputShape());
    }
}
