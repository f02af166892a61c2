package io.dnnvis.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * A synthetic output folder of a dataset audit, written the way {@code dnnvis audit} writes it
 * (audit.json, topk.csv, predictions.csv, skipped.csv, patches/ and recon/ PNGs), with names meant to
 * break a report that does not escape them. The values are simple functions of unit and rank, so a
 * test can tell what each page must show.
 */
record AuditFixture(List<Layer> layers, int top, String method, List<Image> images, List<Skipped> skipped) {

    record Layer(String tensor, String alias, String folder, int units) {
    }

    /** An image with the model's prediction (class number, label, score) and its true class (or ""). */
    record Image(String name, String predicted, String label, double score, String truth) {

        boolean correct() {
            return !truth.isEmpty() && truth.equals(label);
        }
    }

    record Skipped(String file, String reason) {
    }

    /** One row of topk.csv as the fixture writes it. */
    record Row(Layer layer, int unit, int rank, Image image, double activation) {
    }

    static final String SCRIPT_NAME = "<script>alert(1)</script>.png";
    static final String QUOTE_NAME = "a\"b&c.png";
    static final String HOSTILE_LABEL = "<img src=x onerror=alert(3)>";
    static final String SKIPPED_NAME = "evil<iframe src=\"http://example.com/\">.jpg";

    /** Two layers (one with a hostile alias), K = 3, deconvnet, twelve images of which some are hostile names. */
    static AuditFixture standard() {
        List<Image> images = List.of(
                new Image("A/a1.png", "0", "A", 0.91, "A"),
                new Image("A/" + SCRIPT_NAME, "1", "B", 0.55, "A"),
                new Image("A/a3.png", "0", "A", 0.88, "A"),
                new Image("B/" + QUOTE_NAME, "1", "B", 0.73, "B"),
                new Image("B/b2,comma.png", "0", "A", 0.61, "B"),
                new Image("B/b3.png", "0", "A", 0.52, "B"),
                new Image("C/c1.png", "2", HOSTILE_LABEL, 0.66, "C"),
                new Image("C/c2.png", "1", "B", 0.49, "C"),
                new Image("C/' onerror='alert(2).png", "2", HOSTILE_LABEL, 0.95, HOSTILE_LABEL),
                new Image("C/c4 \u00e9t\u00e9.png", "0", "A", 0.42, "C"),
                new Image("D/d1.png", "3", "D", 0.99, ""),
                new Image("D/line\nbreak.png", "3", "D", 0.97, "D"));
        return new AuditFixture(List.of(
                new Layer("/features/features.6/Relu_output_0", "conv3", "conv3", 6),
                new Layer("/features/features.10/Relu_output_0", "<b>deep</b>", "features.10", 4)),
                3, "deconvnet", images, List.of(
                        new Skipped(SKIPPED_NAME, "cannot decode: \"bad\" <header>"),
                        new Skipped("notes.txt", "not an image")));
    }

    /** One layer of {@code units} units, K = {@code top}, over {@code imageCount} plain images. */
    static AuditFixture large(int units, int top, int imageCount) {
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < imageCount; i++) {
            String truth = "class" + (i % 10);
            String label = "class" + (i % 7 == 0 ? (i + 1) % 10 : i % 10);
            images.add(new Image(truth + "/img" + i + ".png", Integer.toString(i % 10), label, 0.5, truth));
        }
        return new AuditFixture(List.of(new Layer("/features/features.16/Relu_output_0", "conv5", "conv5", units)),
                top, "desalinet", images, List.of());
    }

    AuditFixture withMethod(String newMethod) {
        return new AuditFixture(layers, top, newMethod, images, skipped);
    }

    boolean hasReconstructions() {
        return !method.equals("none");
    }

    /**
     * The activation of the {@code rank}-th image of {@code unit}: decreasing with the rank, and the
     * strongest response of the units in an order that is not their number (unit 0 is never the strongest).
     */
    static double activation(int layerIndex, int unit, int rank) {
        return ((unit * 37 + layerIndex * 5) % 11) + 1.25 + unit * 0.001 - rank * 0.125;
    }

    /** The image at {@code rank} of {@code unit}: different images for the ranks of a unit. */
    Image imageOf(int layerIndex, int unit, int rank) {
        return images.get((unit * 5 + layerIndex * 3 + rank - 1) % images.size());
    }

    /** Every row of topk.csv. */
    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            for (int u = 0; u < layers.get(l).units(); u++) {
                for (int r = 1; r <= top; r++) {
                    rows.add(new Row(layers.get(l), u, r, imageOf(l, u, r), activation(l, u, r)));
                }
            }
        }
        return rows;
    }

    /** Units of layer {@code layerIndex} from the strongest first response to the weakest (ties: lower unit first). */
    List<Integer> unitsByStrongestResponse(int layerIndex) {
        List<Integer> units = new ArrayList<>();
        for (int u = 0; u < layers.get(layerIndex).units(); u++) {
            units.add(u);
        }
        units.sort((a, b) -> {
            int c = Double.compare(activation(layerIndex, b, 1), activation(layerIndex, a, 1));
            return c != 0 ? c : Integer.compare(a, b);
        });
        return units;
    }

    /** Writes the audit's files into {@code out} (created). */
    void write(Path out) {
        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve("audit.json"), auditJson());
            Files.writeString(out.resolve("topk.csv"), topkCsv());
            Files.writeString(out.resolve("predictions.csv"), predictionsCsv());
            Files.writeString(out.resolve("skipped.csv"), skippedCsv());
            byte[] png = png();
            for (Row r : rows()) {
                String file = "u" + r.unit() + "_r" + r.rank() + ".png";
                Path patch = out.resolve("patches").resolve(r.layer().folder()).resolve(file);
                Files.createDirectories(patch.getParent());
                Files.write(patch, png);
                if (hasReconstructions()) {
                    Path recon = out.resolve("recon").resolve(r.layer().folder()).resolve(file);
                    Files.createDirectories(recon.getParent());
                    Files.write(recon, png);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String auditJson() {
        String layerList = layers.stream().map(l -> "{\"tensor\":" + json(l.tensor()) + ",\"alias\":" + json(l.alias())
                + ",\"folder\":" + json(l.folder()) + ",\"units\":" + l.units() + ",\"shape\":[1," + l.units()
                + ",8,8]}").collect(Collectors.joining(","));
        return "{\"model\":\"models/glyph<net>.onnx\",\"model_sha256\":\"" + "ab12".repeat(16) + "\","
                + "\"dnnvis_version\":\"0.1.0-test\",\"layers\":[" + layerList + "],\"top\":" + top
                + ",\"method\":" + json(method) + ",\"preprocessing\":{\"scale\":\"1/255\",\"size\":[64,64]},"
                + "\"images\":" + images.size() + ",\"skipped\":" + skipped.size()
                + ",\"started\":\"2026-12-07T01:00:00Z\",\"finished\":\"2026-12-07T01:02:03Z\",\"labels_from\":\"folder\"}";
    }

    private String topkCsv() {
        StringBuilder b = new StringBuilder("layer,unit,rank,image,y,x,activation,y0,x0,y1,x1\n");
        for (Row r : rows()) {
            b.append(csv(r.layer().tensor())).append(',').append(r.unit()).append(',').append(r.rank()).append(',')
                    .append(csv(r.image().name())).append(',').append(r.rank()).append(',').append(r.unit() % 8)
                    .append(',').append(String.format(Locale.ROOT, "%.6f", r.activation())).append(",0,0,7,7\n");
        }
        return b.toString();
    }

    private String predictionsCsv() {
        StringBuilder b = new StringBuilder("image,predicted,label,score,true\r\n");
        for (Image i : images) {
            b.append(csv(i.name())).append(',').append(i.predicted()).append(',').append(csv(i.label())).append(',')
                    .append(i.score()).append(',').append(csv(i.truth())).append("\r\n");
        }
        return b.toString();
    }

    private String skippedCsv() {
        StringBuilder b = new StringBuilder("file,reason\n");
        for (Skipped s : skipped) {
            b.append(csv(s.file())).append(',').append(csv(s.reason())).append('\n');
        }
        return b.toString();
    }

    /** RFC 4180: quoted when it holds a comma, a quote or a line break. */
    static String csv(String field) {
        if (field.contains(",") || field.contains("\"") || field.contains("\n") || field.contains("\r")) {
            return "\"" + field.replace("\"", "\"\"") + "\"";
        }
        return field;
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static byte[] png() throws IOException {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, (x * 32) << 16 | (y * 32) << 8 | 0x80);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        return bytes.toByteArray();
    }
}
