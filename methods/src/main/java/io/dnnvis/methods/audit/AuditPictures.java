package io.dnnvis.methods.audit;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.Reconstruction;
import io.dnnvis.methods.TargetRequest;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Images;
import java.awt.image.BufferedImage;
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

    private BufferedImage reconstruction(BackwardMethod m, TopImage row, ImageInput input, boolean spatial) {
        Optional<GridPoint> at = spatial ? Optional.of(new GridPoint(row.y(), row.x())) : Optional.empty();
        TargetRequest request = TargetRequest.of(m, new Target.NeuronScore(row.unit(), at), row.layer());
        Reconstruction r = vis.run(request, input.tensor());
        long[] shape = r.tensor().shape(); // [1, C, H, W]
        int channels = (int) shape[1];
        int height = (int) shape[2];
        int width = (int) shape[3];
        ReceptiveField.Box box = row.box();
        float[] all = r.tensor().data();
        float[] cut = new float[channels * box.height() * box.width()];
        int k = 0;
        for (int c = 0; c < channels; c++) {
            for (int y = box.y0(); y <= box.y1(); y++) {
                for (int x = box.x0(); x <= box.x1(); x++) {
                    cut[k++] = all[(c * height + y) * width + x];
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
