package io.dnnvis.cli;

import io.dnnvis.methods.audit.AuditLayer;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.Prediction;
import io.dnnvis.methods.audit.SkippedFile;
import io.dnnvis.methods.audit.TopImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files of an audit in its output folder, each written atomically: {@code topk.csv},
 * {@code predictions.csv}, {@code skipped.csv}, {@code audit.json} and the pictures below
 * {@code patches/} and {@code recon/} (one folder per layer, named after its alias, else its tensor).
 */
final class AuditFiles {

    /** What {@code audit.json} says about the run. */
    record Manifest(Path model, String modelSha256, String version, AuditResult result, int top, String method,
            String preprocessing, Instant started, Instant finished, String labelsFrom, String settingsSha256) {
    }

    private final Path dir;
    private final List<Path> inputs;
    /** The folders made so far: pictures are written from several threads, each folder made once, before any file in it. */
    private final Map<Path, Boolean> folders = new ConcurrentHashMap<>();

    AuditFiles(Path dir, List<Path> inputs) {
        this.dir = dir;
        this.inputs = inputs;
    }

    /** The folder name of a layer (by tensor): its alias, else its tensor name, made safe for a file name. */
    String folderOf(AuditResult result, String tensor) {
        AuditLayer layer = result.layers().stream().filter(l -> l.tensor().equals(tensor)).findFirst().orElseThrow();
        return OutputPaths.safeName(layer.alias().isEmpty() ? layer.tensor() : layer.alias());
    }

    /** Writes {@code relative} (below the output folder) atomically, creating its folder. */
    void write(Path relative, byte[] bytes) {
        Path target = dir.resolve(relative);
        Path parent = target.getParent();
        folders.computeIfAbsent(parent, p -> { // others wanting the same folder wait until it exists
            OutputPaths.folder(p);
            return Boolean.TRUE;
        });
        OutputPaths.write(target, bytes, inputs);
    }

    void writeTables(AuditResult result) {
        StringBuilder top = new StringBuilder("layer,unit,rank,image,y,x,activation,y0,x0,y1,x1\n");
        for (TopImage t : result.top()) {
            top.append(field(t.layer())).append(',').append(t.unit()).append(',').append(t.rank()).append(',')
                    .append(field(t.image())).append(',').append(t.y()).append(',').append(t.x()).append(',')
                    .append(number(t.activation())).append(',').append(t.box().y0()).append(',')
                    .append(t.box().x0()).append(',').append(t.box().y1()).append(',').append(t.box().x1())
                    .append('\n');
        }
        write(Path.of("topk.csv"), top.toString().getBytes(StandardCharsets.UTF_8));
        StringBuilder predictions = new StringBuilder("image,predicted,label,score,true\n");
        for (Prediction p : result.predictions()) {
            predictions.append(field(p.image())).append(',').append(p.predicted()).append(',')
                    .append(field(p.label())).append(',').append(number(p.score())).append(',')
                    .append(field(p.trueLabel())).append('\n');
        }
        write(Path.of("predictions.csv"), predictions.toString().getBytes(StandardCharsets.UTF_8));
        StringBuilder skipped = new StringBuilder("file,reason\n");
        for (SkippedFile s : result.skipped()) {
            skipped.append(field(s.file())).append(',').append(field(s.reason())).append('\n');
        }
        write(Path.of("skipped.csv"), skipped.toString().getBytes(StandardCharsets.UTF_8));
    }

    void writeManifest(Manifest m) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", m.model().toString());
        json.put("model_sha256", m.modelSha256());
        json.put("dnnvis_version", m.version());
        json.put("layers", m.result().layers().stream().map(l -> {
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("tensor", l.tensor());
            layer.put("alias", l.alias());
            layer.put("folder", OutputPaths.safeName(l.alias().isEmpty() ? l.tensor() : l.alias()));
            layer.put("units", l.units());
            layer.put("shape", l.shape());
            return layer;
        }).toList());
        json.put("top", m.top());
        json.put("method", m.method());
        json.put("preprocessing", m.preprocessing());
        json.put("images", m.result().images());
        json.put("skipped", m.result().skipped().size());
        json.put("started", m.started().toString());
        json.put("finished", m.finished().toString());
        json.put("labels_from", m.labelsFrom());
        if (m.settingsSha256() != null) {
            json.put("settings_sha256", m.settingsSha256());
        }
        write(Path.of("audit.json"), (Json.write(json) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code %.6f}, as the reference tables give activations; below 0.01 in magnitude the float's
     * shortest exact form (e.g. {@code 1.5157899E-4}), which six decimals would round away.
     */
    static String number(float v) {
        return v == 0 || !(Math.abs(v) < 0.01f) ? String.format(Locale.ROOT, "%.6f", v) : Float.toString(v);
    }

    /** A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** The SHA-256 of a run's settings (model, folder, options: what a resumed run must share), hex. */
    static String settingsDigest(String settings) {
        return HexFormat.of().formatHex(sha256().digest(settings.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether the audit in {@code dir} was made with {@code settings}: its {@code audit.json}'s
     * {@code settings_sha256} is theirs (an audit.json without one, as the Spark job writes, counts
     * as made with them; one that cannot be read, as not).
     */
    static boolean madeWith(Path dir, String settings) {
        try {
            com.fasterxml.jackson.databind.JsonNode root = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                    .build().readTree(Files.readAllBytes(dir.resolve("audit.json")));
            com.fasterxml.jackson.databind.JsonNode made = root.path("settings_sha256");
            return made.isMissingNode() || made.asText().equals(settingsDigest(settings));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The SHA-256 of a file, hex. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = sha256();
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UserException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The SHA-256 of {@code bytes}, hex. */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this Java runtime", e);
        }
    }
}
