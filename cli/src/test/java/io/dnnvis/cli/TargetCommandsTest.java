package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.TargetRequest;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetArea;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.modelbuild.TargetModels;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --target} of visualize and occlusion on outputs that are not [N,K], and predict on them. */
class TargetCommandsTest {

    @TempDir
    Path dir;

    private Path model(ModelBuilder b, String name) throws Exception {
        Path file = dir.resolve(name);
        b.write(file);
        return file;
    }

    private Path input(long[] shape, long seed) throws Exception {
        Random rnd = new Random(seed);
        float[] data = new float[(int) (shape[1] * shape[2] * shape[3])];
        for (int k = 0; k < data.length; k++) {
            data[k] = (float) rnd.nextGaussian();
        }
        Path file = dir.resolve("x" + seed + ".npy");
        Files.write(file, Npy.toBytes(new TensorValue("x", shape, data)));
        return file;
    }

    private static void assertBadInput(CliRun run, String message) {
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).contains(message);
    }

    @Test
    void visualizeASegmentationClassInsideARegionWritesThatTargetsGradient() throws Exception {
        Path seg = model(TargetModels.segmentation(false), "seg.onnx");
        Path x = input(new long[] {1, 3, 8, 8}, 1);
        Path npy = dir.resolve("r.npy");
        CliRun run = CliRun.of("visualize", seg.toString(), "--input-npy", x.toString(), "--target", "class:1",
                "--region", "2,3,6,7", "--method", "salinet", "--save-npy", npy.toString(), "-o", dir.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("salinet class:1 in region 2,3,6,7 of");
        OnnxModel model = OnnxModel.load(seg);
        TensorValue in = Npy.read(x, "x");
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            float[] expected = vis.run(TargetRequest.of(BackwardMethod.SALINET,
                    Target.classIndex(1).within(new TargetArea.Region(2, 3, 6, 7))), in).tensor().data();
            TensorValue written = Npy.read(npy, "r");
            assertThat(written.shape()).containsExactly(1, 3, 8, 8);
            assertThat(written.data()).containsExactly(expected);
        }
        String conv = model.graph().layer(model.graph().outputs().get(0).name()).alias();
        assertThat(dir.resolve("salinet_" + conv + "_class_1_area.png")).isRegularFile();
        CliRun all = CliRun.of("visualize", seg.toString(), "--input-npy", x.toString(), "--target", "class:0",
                "--method", "all", "-o", dir.toString());
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(dir.resolve("all_" + conv + "_class_0.png")).isRegularFile();
    }

    @Test
    void aMaskPictureSelectsTheSamePixelsAsTheEquivalentRegion() throws Exception {
        Path seg = model(TargetModels.segmentation(false), "seg.onnx");
        Path x = input(new long[] {1, 3, 8, 8}, 2);
        BufferedImage mask = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        mask.getRaster().setSample(1, 1, 0, 255); // nearest to 8x8: rows 2-3, columns 2-3
        Path png = dir.resolve("mask.png");
        ImageIO.write(mask, "png", png.toFile());
        Path byMask = dir.resolve("mask.npy");
        Path byRegion = dir.resolve("region.npy");
        CliRun masked = CliRun.of("visualize", seg.toString(), "--input-npy", x.toString(), "--target", "class:2",
                "--mask", png.toString(), "--method", "salinet", "--save-npy", byMask.toString());
        CliRun region = CliRun.of("visualize", seg.toString(), "--input-npy", x.toString(), "--target", "class:2",
                "--region", "2,2,4,4", "--method", "salinet", "--save-npy", byRegion.toString());
        assertThat(masked.code()).as(masked.err()).isZero();
        assertThat(region.code()).as(region.err()).isZero();
        float[] a = Npy.read(byMask, "a").data();
        assertThat(a).containsExactly(Npy.read(byRegion, "b").data());
        double norm = 0;
        for (float v : a) {
            norm += v * v;
        }
        assertThat(norm).isGreaterThan(0);
    }

    @Test
    void aMaskIsReadAsImagesAre() throws Exception {
        Path seg = model(TargetModels.segmentation(false), "seg.onnx");
        Path x = input(new long[] {1, 3, 8, 8}, 2);
        // a PNG header claiming 100000 x 100000 pixels: refused before decoding (ImageIO alone allocates the raster)
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(png);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] ihdr = java.nio.ByteBuffer.allocate(17).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(100_000).putInt(100_000).put(new byte[] {8, 0, 0, 0, 0}).array();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr);
        out.writeInt(13);
        out.write(ihdr);
        out.writeInt((int) crc.getValue());
        Path huge = Files.write(dir.resolve("huge-mask.png"), png.toByteArray());
        Path npy = dir.resolve("m.npy");
        CliRun hugeRun = CliRun.of("visualize", seg.toString(), "--input-npy", x.toString(), "--target", "class:2",
                "--mask", huge.toString(), "--method", "salinet", "--save-npy", npy.toString());
        assertThat(hugeRun.code()).as(hugeRun.err()).isEqualTo(2);
        assertThat(hugeRun.err().strip()).isEqualTo("error: " + huge + ": image of 100000x100000 pixels is larger than"
                + " the limit of 100000000 pixels (--mask)");
        assertThat(npy).doesNotExist();
        // a palette picture whose index 0 is white: its colours decide, not its indices
        java.awt.image.IndexColorModel whiteFirst = new java.awt.image.IndexColorModel(8, 2,
                new byte[] {(byte) 255, 0}, new byte[] {(byte) 255, 0}, new byte[] {(byte) 255, 0});
        BufferedImage indexed = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED, whiteFirst);
        for (int y = 0; y < 8; y++) {
            for (int xx = 0; xx < 8; xx++) {
                indexed.getRaster().setSample(xx, y, 0, y >= 2 && y < 4 && xx >= 2 && xx < 4 ? 0 : 1);
            }
        }
        BufferedImage rgb = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        rgb.getRaster().setPixels(2, 2, 2, 2, new int[] {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255});
        Path palettePng = dir.resolve("palette.png");
        Path gif = dir.resolve("mask.gif");
        Path rgbPng = dir.resolve("rgb.png");
        assertThat(ImageIO.write(indexed, "png", palettePng.toFile())).isTrue();
        assertThat(ImageIO.write(indexed, "gif", gif.toFile())).isTrue();
        assertThat(ImageIO.write(rgb, "png", rgbPng.toFile())).isTrue();
        Path byGif = dir.resolve("gif.npy");
        Path byPng = dir.resolve("png.npy");
        Path byPalette = dir.resolve("palette.npy");
        for (Path[] pair : new Path[][] {{gif, byGif}, {rgbPng, byPng}, {palettePng, byPalette}}) {
            CliRun run = CliRun.of("visualize", seg.toString(), "--input-npy", x.toString(), "--target", "class:2",
                    "--mask", pair[0].toString(), "--method", "salinet", "--save-npy", pair[1].toString());
            assertThat(run.code()).as(run.err()).isZero();
        }
        assertThat(Npy.read(byPalette, "q").data()).containsExactly(Npy.read(byPng, "p").data());
        assertThat(Npy.read(byGif, "g").data()).containsExactly(Npy.read(byPng, "p").data());
    }

    @Test
    void occlusionOfAStepOfTheSecondOutputEqualsTheLibrarysMap() throws Exception {
        Path seq = model(TargetModels.sequence(), "seq.onnx");
        OnnxModel model = OnnxModel.load(seq);
        String probs = model.graph().outputs().get(1).name();
        Path x = input(new long[] {1, 2, 4, 6}, 3);
        Path npy = dir.resolve("o.npy");
        CliRun run = CliRun.of("occlusion", seq.toString(), "--input-npy", x.toString(), "--target", "class:3@2",
                "--target-output", probs, "--window", "3", "--stride", "1", "--fill", "zero", "--save-npy",
                npy.toString(), "-q");
        assertThat(run.code()).as(run.err()).isZero();
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            float[] expected = vis.occlusion().window(3).stride(1).fill(io.dnnvis.methods.occlusion.Fill.zero())
                    .target(Target.classAtStep(3, 2).onOutput(probs)).run(Npy.read(x, "x")).tensor().data();
            assertThat(Npy.read(npy, "o").data()).containsExactly(expected);
        }
    }

    @Test
    void badTargetsAndOptionCombinationsAreOneLine() throws Exception {
        Path seq = model(TargetModels.sequence(), "seq.onnx");
        String probs = OnnxModel.load(seq).graph().outputs().get(1).name();
        Path x = input(new long[] {1, 2, 4, 6}, 4);
        Path npy = dir.resolve("r.npy");
        String[] base = {"visualize", seq.toString(), "--input-npy", x.toString(), "--save-npy", npy.toString()};
        assertBadInput(run(base, "--layer", probs, "--target", "neuron:2"), "gradient is zero everywhere");
        assertBadInput(run(base, "--target", "class:1", "--neuron", "1"), "--neuron and --target exclude each other");
        assertBadInput(run(base, "--target", "class:1", "--yx", "1,1"), "--yx is for --neuron");
        assertBadInput(run(base), "give --neuron");
        assertBadInput(run(base, "--neuron", "1"), "--layer is required");
        assertBadInput(run(base, "--target", "class:1", "--region", "0,0,1,1"),
                "a region or mask needs a segmentation output");
        assertBadInput(run(base, "--target", "output:" + probs + "[0,9,0]"), "index 9 of axis 1 is outside");
        assertBadInput(run(base, "--region", "0,0,1,1", "--neuron", "1", "--layer", probs), "refine a --target");
        assertBadInput(CliRun.of("occlusion", seq.toString(), "--input-npy", x.toString(), "--save-npy",
                npy.toString(), "--window", "3", "--stride", "1", "--layer", probs, "--target", "neuron:0"),
                "always sum to 1");
        assertThat(npy).doesNotExist();
    }

    private static CliRun run(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void predictReadsSegmentationAndSequenceOutputs() throws Exception {
        Path seg = model(TargetModels.segmentation(false), "seg.onnx");
        Path x = input(new long[] {1, 3, 8, 8}, 5);
        OnnxModel segModel = OnnxModel.load(seg);
        float[] y;
        try (Visualizer vis = Visualizer.open(segModel, EngineOptions.defaults())) {
            y = vis.tracer().run(Npy.read(x, "x")).get(segModel.graph().outputs().get(0).name()).data();
        }
        int[] pixels = new int[3];
        for (int p = 0; p < 64; p++) {
            int best = 0;
            for (int k = 1; k < 3; k++) {
                best = y[k * 64 + p] > y[best * 64 + p] ? k : best;
            }
            pixels[best]++;
        }
        CliRun run = CliRun.of("predict", seg.toString(), "--input-npy", x.toString(), "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode classes = new ObjectMapper().readTree(run.out()).get("classes");
        int total = 0;
        for (JsonNode c : classes) {
            assertThat(c.get("pixels").asInt()).isEqualTo(pixels[c.get("index").asInt()]);
            assertThat(c.get("share").asDouble()).isEqualTo(pixels[c.get("index").asInt()] / 64.0);
            total += c.get("pixels").asInt();
        }
        assertThat(total).isEqualTo(64);
        CliRun text = CliRun.of("predict", seg.toString(), "--input-npy", x.toString());
        assertThat(text.out()).startsWith("segmentation ").contains("pixels)");

        Path seq = model(TargetModels.sequence(), "seq.onnx");
        Path xs = input(new long[] {1, 2, 4, 6}, 6);
        OnnxModel seqModel = OnnxModel.load(seq);
        float[] logits;
        try (Visualizer vis = Visualizer.open(seqModel, EngineOptions.defaults())) {
            logits = vis.tracer().run(Npy.read(xs, "x")).get(seqModel.graph().outputs().get(0).name()).data();
        }
        java.util.List<Integer> steps = new java.util.ArrayList<>();
        java.util.List<Integer> ctc = new java.util.ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int best = 0;
            for (int k = 1; k < 5; k++) {
                best = logits[t * 5 + k] > logits[t * 5 + best] ? k : best;
            }
            if (best != 0 && (steps.isEmpty() || steps.get(steps.size() - 1) != best)) {
                ctc.add(best);
            }
            steps.add(best);
        }
        JsonNode sequence = new ObjectMapper().readTree(
                CliRun.of("predict", seq.toString(), "--input-npy", xs.toString(), "--json").out());
        assertThat(sequence.get("steps").toString()).isEqualTo(steps.toString().replace(" ", ""));
        assertThat(sequence.get("greedyCtc").toString()).isEqualTo(ctc.toString().replace(" ", ""));
        assertThat(CliRun.of("predict", seq.toString(), "--input-npy", xs.toString()).out())
                .contains("greedy CTC (blank 0, repeats collapsed)");
    }

    @Test
    void predictRefusesOtherShapesInOneLine() throws Exception {
        ModelBuilder b = ModelBuilder.create(13).name("five");
        String x = b.input("x", 1, 1, 2, 2);
        b.output(b.reshape(x, 1, 1, 1, 2, 2));
        Path five = model(b, "five.onnx");
        Path in = dir.resolve("in.npy");
        Files.write(in, Npy.toBytes(new TensorValue("x", new long[] {1, 1, 2, 2}, new float[4])));
        assertBadInput(CliRun.of("predict", five.toString(), "--input-npy", in.toString()),
                "has shape [1, 1, 1, 2, 2]; predict reads [N,K] (classes), [N,K,H,W] or [N,H,W,K] (segmentation), [N,T,K] or [T,N,K]");
    }
}
