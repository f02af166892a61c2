package io.dnnvis.spark;

import io.dnnvis.methods.audit.AuditMethod;
import io.dnnvis.methods.audit.AuditPictures;
import io.dnnvis.methods.audit.TopImage;
import io.dnnvis.methods.image.ImageInput;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

/**
 * One partition of the audit's second stage: the images of the final top table ({@code path},
 * {@code content} rows of the {@code binaryFile} source), each decoded once and its rows drawn with
 * the executor's shared session ({@link AuditPictures#drawImage}: an image's rows of a layer in one
 * backward run), handed back as PNG bytes image by image.
 */
final class PartitionPictures implements FlatMapFunction<Iterator<Row>, RowPictures> {

    private static final long serialVersionUID = 1L;

    private final JobSettings settings;
    private final AuditMethod method;
    private final Broadcast<byte[]> model;
    private final Broadcast<Map<String, List<TopImage>>> rowsByImage;

    PartitionPictures(JobSettings settings, AuditMethod method, Broadcast<byte[]> model,
            Broadcast<Map<String, List<TopImage>>> rowsByImage) {
        this.settings = settings;
        this.method = method;
        this.model = model;
        this.rowsByImage = rowsByImage;
    }

    @Override
    public Iterator<RowPictures> call(Iterator<Row> files) {
        int cpus = ExecutorSessions.cpus(TaskContext.get());
        ExecutorSessions.Session session = ExecutorSessions.get(settings, cpus, model::value);
        AuditPictures pictures = AuditPictures.of(session.vis(), settings.imageOptions(), method);
        Map<String, List<TopImage>> rows = rowsByImage.value();
        return new Iterator<>() {
            private final Queue<RowPictures> drawn = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (drawn.isEmpty() && files.hasNext()) {
                    Row file = files.next();
                    String name = settings.nameOf(file.getString(0));
                    List<TopImage> ofImage = rows.get(name);
                    if (ofImage != null) {
                        ImageInput input = ImageInput.load((byte[]) file.getAs(1), name, session.vis().model(),
                                pictures.options(), session.vis().layout());
                        pictures.drawImage(input, ofImage, d -> drawn.add(RowPictures.of(d)));
                    }
                }
                return !drawn.isEmpty();
            }

            @Override
            public RowPictures next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return drawn.remove();
            }
        };
    }
}
