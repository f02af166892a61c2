package io.dnnvis.testdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The reference cases of {@code testdata/reference/manifest.json}, paths resolved against its folder. */
public record Manifest(List<ReferenceCase> cases) {

    public Manifest {
        cases = List.copyOf(cases);
    }

    /** The layer a case targets, as the manifest names it. */
    public record Layer(String tensor, String node, String op, String alias, long[] shape) {
    }

    /** One reference case; {@code yx}, {@code window} and {@code stride} are absent when not used. */
    public record ReferenceCase(
            String id,
            String modelName,
            Path model,
            Path input,
            Layer layer,
            String method,
            Optional<Integer> channel,
            Optional<int[]> yx,
            String start,
            String pooling,
            Optional<Integer> window,
            Optional<Integer> stride,
            Path expected,
            String layout) {

        @Override
        public String toString() {
            return id;
        }
    }

    static Manifest read(Path file) {
        try {
            JsonNode rootNode = new ObjectMapper().readTree(file.toFile());
            Path base = file.getParent();
            List<ReferenceCase> cases = new ArrayList<>();
            for (JsonNode c : rootNode.get("cases")) {
                JsonNode l = c.get("layer");
                long[] shape = new long[l.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = l.get("shape").get(i).asLong();
                }
                String modelPath = c.get("model").asText();
                String modelName = Path.of(modelPath).getFileName().toString().replaceFirst("\\.onnx$", "");
                cases.add(new ReferenceCase(
                        c.get("id").asText(),
                        modelName,
                        base.resolve(modelPath),
                        base.resolve(c.get("input").asText()),
                        new Layer(l.get("tensor").asText(), l.get("node").asText(), l.get("op").asText(),
                                l.get("alias").asText(), shape),
                        c.get("method").asText(),
                        optionalInt(c, "channel"),
                        c.has("yx")
                                ? Optional.of(new int[] {c.get("yx").get(0).asInt(), c.get("yx").get(1).asInt()})
                                : Optional.empty(),
                        c.has("start") ? c.get("start").asText() : "activation",
                        c.has("pooling") ? c.get("pooling").asText() : "switch",
                        optionalInt(c, "window"),
                        optionalInt(c, "stride"),
                        base.resolve(c.get("expected").asText()),
                        c.get("layout").asText()));
            }
            return new Manifest(cases);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Optional<Integer> optionalInt(JsonNode node, String field) {
        return node.has(field) ? Optional.of(node.get(field).asInt()) : Optional.empty();
    }

    /** The cases of one method ("deconvnet", "salinet", "desalinet", "occlusion"). */
    public List<ReferenceCase> casesOf(String... methods) {
        List<String> wanted = List.of(methods);
        return cases.stream().filter(c -> wanted.contains(c.method())).toList();
    }
}
