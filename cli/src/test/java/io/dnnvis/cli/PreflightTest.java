package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every option is checked before any work, in one order (the options alone, then what needs the
 * model, then the runs): each refusal exits 2 with one line, runs nothing (no prediction, no
 * "in N ms" line) and creates no output folder or file; nothing is computed or written twice, and
 * what dnnvis decides for the user (a clamp, a dedupe, an enlargement) is told in one line.
 */
class PreflightTest {

    private static final String GLYPHNET = TestData.glyphNet().toString();
    private static final String R = TestData.glyphNet().getParent().resolve("../images/glyphs/R.png").normalize().toString();

    @TempDir
    Path dir;

    private CliRun visualize(String... more) {
        return CliRun.of(Stream.concat(Stream.of("visualize", GLYPHNET, "--image", R), Stream.of(more))
                .toArray(String[]::new));
    }

    private CliRun occlusion(String... more) {
        return CliRun.of(Stream.concat(Stream.of("occlusion", GLYPHNET, "--image", R, "--layer", "conv4", "-q"),
                Stream.of(more)).toArray(String[]::new));
    }

    /** Exit 2, exactly {@code error: message}, nothing run, nothing created in {@code dir}. */
    private void assertRefusedBeforeWork(CliRun run, String message) throws Exception {
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("error: " + message);
        assertThat(run.out()).doesNotContain("prediction:").doesNotContainPattern("in \\d+ ms").doesNotContain("wrote");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> !p.getFileName().toString().startsWith("given-")).toList()).isEmpty();
        }
    }

    @Test
    void theOptionsAloneAreCheckedBeforeTheModelDependentOnes() throws Exception {
        // "nothing to write" (an option check) comes before the unknown layer (a model check)
        assertRefusedBeforeWork(visualize("--layer", "nope", "--neuron", "0"),
                "nothing to write: give --save-npy FILE and/or -o DIR");
        // a bad heat-map value is refused before the model is read, with or without --heatmap
        assertRefusedBeforeWork(visualize("--layer", "nope", "--neuron", "0", "--clip", "60", "-o",
                dir.resolve("out").toString()), "--clip: outlier clipping must be in [0, 50) percent, got 60.0");
        assertRefusedBeforeWork(visualize("--layer", "conv4", "--neuron", "0", "--heatmap", "--cmap", "nope", "-o",
                dir.resolve("out").toString()), "--cmap: unknown colormap 'nope' (bwr, jet, viridis or gray)");
    }

    @Test
    void modelDependentRefusalsCreateNoOutputFolder() throws Exception {
        Path out = dir.resolve("out");
        CliRun layer = visualize("--layer", "nope", "--neuron", "0", "-o", out.toString());
        assertRefusedBeforeWork(layer, layer.err().strip().substring("error: ".length()));
        assertThat(layer.err()).startsWith("error: ").contains("glyphnet.onnx: no layer 'nope'");
        CliRun neuron = visualize("--layer", "conv4", "--neuron", "500", "-o", out.toString());
        assertRefusedBeforeWork(neuron, neuron.err().strip().substring("error: ".length()));
        assertThat(neuron.err()).contains("500");
        CliRun channel = occlusion("--window", "9", "--stride", "8", "--channel", "500", "-o", out.toString());
        assertRefusedBeforeWork(channel, "--channel: channel 500 does not exist in layer 'conv4' (channels 0..95)");
        assertThat(out).doesNotExist();
    }

    @Test
    void aWindowLargerThanTheInputIsRefused() throws Exception {
        assertRefusedBeforeWork(occlusion("--window", "101", "--stride", "8", "-o", dir.resolve("out").toString()),
                "--window 101 is larger than the input (64x64 pixels); give an odd size of at most 63");
        assertRefusedBeforeWork(occlusion("--window", "65", "--stride", "8", "--save-npy",
                dir.resolve("o.npy").toString()), "--window 65 is larger than the input (64x64 pixels); give an odd"
                + " size of at most 63");
        CliRun bench = CliRun.of("bench", GLYPHNET, "--layer", "conv4", "--method", "occlusion", "--window", "101",
                "--stride", "8", "--repeat", "1", "--warmup", "0");
        assertRefusedBeforeWork(bench, "--window 101 is larger than the input (64x64 pixels); give an odd size of at"
                + " most 63");
    }

    @Test
    void imagesAreReadByContentAndWebPIsRefused() throws Exception {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (String format : List.of("gif", "bmp", "tiff")) {
            Path file = dir.resolve("given-" + format + ".png");
            assertThat(ImageIO.write(img, format, file.toFile())).isTrue();
            CliRun run = CliRun.of("predict", GLYPHNET, "--image", file.toString());
            assertThat(run.code()).as(format + ": " + run.err()).isZero();
        }
        Path webp = Files.write(dir.resolve("given-webp.png"), "RIFF\0\0\0\0WEBPVP8 ".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII));
        CliRun refused = CliRun.of("visualize", GLYPHNET, "--image", webp.toString(), "--layer", "conv4", "--neuron",
                "0", "-o", dir.resolve("out").toString());
        assertRefusedBeforeWork(refused, webp + ": is a WebP image; dnnvis reads PNG, JPEG, BMP, GIF and TIFF");
        byte[] noise = new byte[64];
        new java.util.Random(3).nextBytes(noise);
        noise[0] = 0;
        Path garbage = Files.write(dir.resolve("given-noise.jpg"), noise);
        CliRun run = CliRun.of("predict", GLYPHNET, "--image", garbage.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("error: " + garbage + ": is not an image (its first bytes match none of the"
                + " formats); dnnvis reads PNG, JPEG, BMP, GIF and TIFF"
                + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void derivedNpyNamesAreNotOverwrittenWithoutForce() throws Exception {
        Path given = dir.resolve("given-out.npy");
        Path salinet = dir.resolve("given-out-salinet.npy");
        Files.writeString(salinet, "keep me");
        CliRun refused = visualize("--layer", "conv4", "--neuron", "3", "--method", "all", "--save-npy", given.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).isEqualTo("error: " + salinet + ": exists (a name derived from --save-npy, one file"
                + " per method); give --force to overwrite it" + System.lineSeparator());
        assertThat(refused.out()).isEmpty();
        assertThat(Files.readString(salinet)).isEqualTo("keep me");
        assertThat(dir.resolve("given-out-deconvnet.npy")).doesNotExist();

        CliRun forced = visualize("--layer", "conv4", "--neuron", "3", "--method", "all", "--save-npy", given.toString(),
                "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        for (String m : List.of("deconvnet", "salinet", "desalinet")) {
            TensorValue t = Npy.read(dir.resolve("given-out-" + m + ".npy"), "r");
            assertThat(t.shape()).containsExactly(1, 3, 64, 64);
        }
        assertThat(given).doesNotExist();
        // the name the user gave (one method) is the user's to overwrite, as before
        Files.writeString(given, "old");
        CliRun one = visualize("--layer", "conv4", "--neuron", "3", "--save-npy", given.toString());
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(Npy.read(given, "r").shape()).containsExactly(1, 3, 64, 64);
    }

    @Test
    void helpNamesTheDerivedFilesAndForce() {
        String help = CliRun.of("visualize", "--help").out().replaceAll("\\s+", ""); // picocli wraps after '.'
        assertThat(help).contains("out.npygivesout-deconvnet.npy,out-salinet.npyandout-desalinet.npy;existingones"
                + "arerefusedunless--force").contains("--forceOverwriteexistingfiles");
    }

    @Test
    void aNeuronGivenTwiceIsComputedAndWrittenOnce() throws Exception {
        Path out = dir.resolve("out");
        CliRun run = visualize("--layer", "conv4", "--neuron", "1,5,1,5,1", "-o", out.toString(), "--save-npy",
                dir.resolve("r.npy").toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err().lines().filter(l -> l.startsWith("note: --neuron"))).containsExactly(
                "note: --neuron 1,5,1,5,1: channels 1, 5 given more than once; computed and written once");
        assertThat(run.out()).contains(": 2 neurons in ");
        assertThat(run.out().lines().filter(l -> l.startsWith("wrote"))).hasSize(3); // r.npy and two PNGs
        assertThat(Npy.read(dir.resolve("r.npy"), "r").shape()).containsExactly(2, 3, 64, 64);
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("desalinet_conv4_n1.png", "desalinet_conv4_n5.png");
        }
    }

    @Test
    void topKAboveTheChannelCountIsClampedAndSaid() throws Exception {
        Path npy = dir.resolve("r.npy");
        CliRun run = visualize("--layer", "conv4", "--neuron", "top:200", "--save-npy", npy.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err().lines().filter(l -> l.startsWith("note:")))
                .containsExactly("note: --neuron top:200: layer conv4 has 96 channels; visualizing all 96");
        assertThat(Npy.read(npy, "r").shape()).containsExactly(96, 3, 64, 64);
        CliRun within = visualize("--layer", "conv4", "--neuron", "top:2", "--save-npy", npy.toString());
        assertThat(within.err()).doesNotContain("note: --neuron");
    }

    @Test
    void aTinyImageIsEnlargedWithAWarning() throws Exception {
        Path dot = dir.resolve("given-dot.png");
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        one.setRGB(0, 0, 0xffffff);
        ImageIO.write(one, "png", dot.toFile());
        CliRun run = CliRun.of("predict", GLYPHNET, "--image", dot.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).isEqualTo("warning: " + dot + ": the 1x1 image is enlarged 64.0x to the model's 64x64"
                + " input (more than 4x on a side): the model sees interpolated pixels, not details"
                + System.lineSeparator());
        CliRun normal = CliRun.of("predict", GLYPHNET, "--image", R);
        assertThat(normal.err()).isEmpty();
    }

    @Test
    void int32NpyInputsAreAcceptedAsHelpSays() throws Exception {
        assertThat(CliRun.of("visualize", "--help").out().replaceAll("\\s+", " ")).contains("int32");
        // the same integer values as int32 and as float32 give the same reconstruction
        int n = 3 * 64 * 64;
        java.nio.ByteBuffer ints = java.nio.ByteBuffer.allocate(n * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] floats = new float[n];
        for (int i = 0; i < n; i++) {
            int v = (i * 7919) % 3; // 0, 1 or 2
            ints.putInt(v);
            floats[i] = v;
        }
        String header = "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 3, 64, 64), }";
        StringBuilder padded = new StringBuilder(header);
        while ((10 + padded.length() + 1) % 64 != 0) {
            padded.append(' ');
        }
        padded.append('\n');
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        bytes.write(padded.length() & 0xff);
        bytes.write(padded.length() >> 8);
        bytes.write(padded.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        bytes.write(ints.array());
        Path int32 = Files.write(dir.resolve("given-int32.npy"), bytes.toByteArray());
        Path float32 = dir.resolve("given-float32.npy");
        Npy.write(float32, new TensorValue("image", new long[] {1, 3, 64, 64}, floats));
        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        CliRun fromInts = CliRun.of("visualize", GLYPHNET, "--input-npy", int32.toString(), "--layer", "conv4",
                "--neuron", "2", "--save-npy", a.toString());
        CliRun fromFloats = CliRun.of("visualize", GLYPHNET, "--input-npy", float32.toString(), "--layer", "conv4",
                "--neuron", "2", "--save-npy", b.toString());
        assertThat(fromInts.code()).as(fromInts.err()).isZero();
        assertThat(fromFloats.code()).as(fromFloats.err()).isZero();
        float[] ra = Npy.read(a, "a").data();
        assertThat(ra).containsExactly(Npy.read(b, "b").data());
        double sum = 0;
        for (float v : ra) {
            sum += Math.abs(v);
        }
        assertThat(sum).isGreaterThan(0); // a reconstruction, not a blank
    }
}
