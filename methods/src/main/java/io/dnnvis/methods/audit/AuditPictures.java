package io.dnnvis.methods.audit;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.NeuronBatches;
import io.dnnvis.methods.Reconstruction;
import io.dnnvis.methods.TargetRequest;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Images;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The pictures of an audit's top table: for each row the receptive-field crop of the image as the
 * model saw it, and the reconstruction of the unit started at its maximum only (the method's
 * backward net from that one position), over the same box. Both are scaled up (nearest neighbour)
 * so that the longer side is at least {@link #MIN_SIDE} pixels. Each image is decoded once.
 */
public final class AuditPictures {

    /** Decoded images kept for the next units (a unit's top images recur in its neighbours' tables). */
    private static final int RECENT_IMAGES = 32;

    /** The shortest longer side of a picture, in pixels. */
    public static final int MIN_SIDE = 96;

    /** One row's pictures. */
    public record Drawn(TopImage row, BufferedImage patch, Optional<BufferedImage> reconstruction) {
    }

    private final Visualizer vis;
    private final ImageInput.Options options;
    private final InputLayout layout;
    private final Optional<BackwardMethod> method;

    private AuditPictures(Visualizer vis, ImageInput.Options options, Optional<BackwardMethod> method) {
        this.vis = vis;
        this.options = options;
        this.layout = vis.layout();
        this.method = method;
    }

    public static AuditPictures of(Visualizer vis, ImageInput.Options options, AuditMethod method) {
        return new AuditPictures(vis, options, method.backward());
    }

    /** Draws every row of {@code result}'s top table, image by image, handing each to {@code sink}. */
    public void draw(ImageFolder folder, AuditResult result, Consumer<Drawn> sink) {
        Map<String, Boolean> spatial = new java.util.HashMap<>();
        result.layers().forEach(l -> spatial.put(l.tensor(), l.shape().size() == 4));
        if (method.isPresent() && NeuronBatches.available(vis)) {
            drawBatched(folder, result, method.get(), sink);
            return;
        }
        Map<String, List<TopImage>> byImage = new TreeMap<>();
        for (TopImage row : result.top()) {
            byImage.computeIfAbsent(row.image(), k -> new java.util.ArrayList<>()).add(row);
        }
        for (var entry : byImage.entrySet()) {
            ImageInput input = ImageInput.load(folder.resolve(entry.getKey()), vis.model(), options, layout);
            for (TopImage row : entry.getValue()) {
                BufferedImage patch = enlarge(crop(input.picture(), row.box()));
                Optional<BufferedImage> recon = method.map(m -> enlarge(reconstruction(m, row, input,
                        spatial.get(row.layer()))));
                sink.accept(new Drawn(row, patch, recon));
            }
        }
    }

    /**
     * The top images of each unit as batches of one backward run ({@link NeuronBatches}): a unit's
     * K images are K different images, each started at its own maximum.
     */
    private void drawBatched(ImageFolder folder, AuditResult result, BackwardMethod m, Consumer<Drawn> sink) {
        Map<String, List<TopImage>> byUnit = new LinkedHashMap<>();
        for (TopImage row : result.top()) {
            byUnit.computeIfAbsent(row.layer() + "\n" + row.unit(), k -> new ArrayList<>()).add(row);
        }
        Map<String, ImageInput> recent = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ImageInput> eldest) {
                return size() > RECENT_IMAGES;
            }
        };
        for (List<TopImage> rows : byUnit.values()) {
            List<ImageInput> inputs = new ArrayList<>();
            for (TopImage row : rows) {
                inputs.add(recent.computeIfAbsent(row.image(),
                        name -> ImageInput.load(folder.resolve(name), vis.model(), options, layout)));
            }
            String tensor = rows.get(0).layer();
            int limit = Math.max(1, NeuronBatches.limit(vis, tensor, inputs.get(0).tensor().shape()));
            for (int from = 0; from < rows.size(); from += limit) {
                int n = Math.min(limit, rows.size() - from);
                List<TensorValue> batch = new ArrayList<>();
                int[] units = new int[n];
                int[] ys = new int[n];
                int[] xs = new int[n];
                for (int k = 0; k < n; k++) {
                    TopImage row = rows.get(from + k);
                    batch.add(inputs.get(from + k).tensor());
                    units[k] = row.unit();
                    ys[k] = row.y();
                    xs[k] = row.x();
                }
                TensorValue recon = NeuronBatches.run(vis, m, tensor, TensorValue.concatFirstAxis(batch), units, ys, xs);
                float[] all = recon.data();
                long[] shape = recon.shape();
                int size = (int) (shape[1] * shape[2] * shape[3]);
                for (int k = 0; k < n; k++) {
                    TopImage row = rows.get(from + k);
                    BufferedImage picture = inputs.get(from + k).picture();
                    sink.accept(new Drawn(row, enlarge(crop(picture, row.box())), Optional.of(enlarge(
                            cropped(all, k * size, shape, row.box())))));
                }
            }
        }
    }

    private BufferedImage reconstruction(BackwardMethod m, TopImage row, ImageInput input, boolean spatial) {
        Optional<GridPoint> at = spatial ? Optional.of(new GridPoint(row.y(), row.x())) : Optional.empty();
        TargetRequest request = TargetRequest.of(m, new Target.NeuronScore(row.unit(), at), row.layer());
        Reconstruction r = vis.run(request, input.tensor());
        return cropped(r.tensor().data(), 0, r.tensor().shape(), row.box());
    }

    /** The reconstruction at {@code offset} of {@code all} ({@code [., C, H, W]}) over {@code box}, drawn. */
    private static BufferedImage cropped(float[] all, int offset, long[] shape, ReceptiveField.Box box) {
        int channels = (int) shape[1];
        int height = (int) shape[2];
        int width = (int) shape[3];
        float[] cut = new float[channels * box.height() * box.width()];
        int k = 0;
        for (int c = 0; c < channels; c++) {
            for (int y = box.y0(); y <= box.y1(); y++) {
                for (int x = box.x0(); x <= box.x1(); x++) {
                    cut[k++] = all[offset + (c * height + y) * width + x];
                }
            }
        }
        return Images.reconstruction(cut, channels, box.height(), box.width(), HeatmapStyle.defaults()).image();
    }

    static BufferedImage crop(BufferedImage picture, ReceptiveField.Box box) {
        BufferedImage out = new BufferedImage(box.width(), box.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < box.height(); y++) {
            for (int x = 0; x < box.width(); x++) {
                out.setRGB(x, y, picture.getRGB(box.x0() + x, box.y0() + y));
            }
        }
        return out;
    }

    /** {@code picture} scaled up by the smallest whole factor that brings its longer side to {@link #MIN_SIDE}. */
    static BufferedImage enlarge(BufferedImage picture) {
        int longer = Math.max(picture.getWidth(), picture.getHeight());
        int factor = Math.max(1, (MIN_SIDE + longer - 1) / longer);
        if (factor == 1) {
            return picture;
        }
        BufferedImage out = new BufferedImage(picture.getWidth() * factor, picture.getHeight() * factor,
                BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, picture.getRGB(x / factor, y / factor));
            }
        }
        return out;
    }
}
