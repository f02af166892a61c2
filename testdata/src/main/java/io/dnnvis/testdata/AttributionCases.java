package io.dnnvis.testdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The attribution reference cases of {@code testdata/reference/attr/manifest.json} (Grad-CAM family,
 * Guided Grad-CAM, saliency, Input×Gradient, Integrated Gradients, SmoothGrad; computed with
 * PyTorch autograd), paths resolved against its folder.
 */
public record AttributionCases(List<Case> cases) {

    public AttributionCases {
        cases = List.copyOf(cases);
    }

    /**
     * One case. Optional fields are present where the method uses them.
     *
     * @param layer the CAM layer's tensor (empty for input-gradient methods)
     * @param baseline Integrated Gradients' baseline: {@code zero} or a resolved {@code .npy} path
     * @param expectedInputResolution the CAM at input resolution
     * @param expectedVariance SmoothGrad's per-element variance of one sample's gradient
     */
    public record Case(String id, Path model, Path input, String method, String target, int classIndex,
            Optional<String> layer, Optional<String> layerAlias, OptionalInt steps, Optional<String> igMethod,
            Optional<String> baseline, OptionalDouble convergenceDelta, OptionalDouble noise,
            OptionalInt referenceSamples, Path expected, Optional<Path> expectedInputResolution,
            Optional<Path> expectedVariance) {

        @Override
        public String toString() {
            return id;
        }
    }

    static AttributionCases read(Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            Path base = file.getParent();
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                JsonNode layer = c.get("layer");
                Optional<String> baseline = text(c, "baseline")
                        .map(b -> b.equals("zero") ? b : base.resolve(b).toString());
                cases.add(new Case(c.get("id").asText(), base.resolve(c.get("model").asText()),
                        base.resolve(c.get("input").asText()), c.get("method").asText(), c.get("target").asText(),
                        c.get("class").asInt(),
                        layer == null ? Optional.empty() : Optional.of(layer.get("tensor").asText()),
                        layer == null ? Optional.empty() : Optional.of(layer.get("alias").asText()),
                        c.has("steps") ? OptionalInt.of(c.get("steps").asInt()) : OptionalInt.empty(),
                        text(c, "ig_method"), baseline,
                        c.has("convergence_delta") ? OptionalDouble.of(c.get("convergence_delta").asDouble())
                                : OptionalDouble.empty(),
                        c.has("noise") ? OptionalDouble.of(c.get("noise").asDouble()) : OptionalDouble.empty(),
                        c.has("reference_samples") ? OptionalInt.of(c.get("reference_samples").asInt())
                                : OptionalInt.empty(),
                        base.resolve(c.get("expected").asText()),
                        text(c, "expected_input_resolution").map(base::resolve),
                        text(c, "expected_variance").map(base::resolve)));
            }
            return new AttributionCases(cases);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        return node.has(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
    }

    /** The cases of the given methods. */
    public List<Case> casesOf(String... methods) {
        List<String> wanted = List.of(methods);
        return cases.stream().filter(c -> wanted.contains(c.method())).toList();
    }
}
