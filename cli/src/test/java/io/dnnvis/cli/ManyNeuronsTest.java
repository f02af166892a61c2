package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** visualize with many neurons: figures split into pages, warnings summed up, heap exhaustion as one line. */
class ManyNeuronsTest {

    private static final String LENET = TestData.referenceModel("lenet").toString();
    private static final String LENET_INPUT = TestData.referenceInput("lenet").toString();

    @TempDir
    Path dir;

    @Test
    void figuresHoldAtMost32NeuronsEach() throws Exception {
        String seventy = IntStream.range(0, 70).mapToObj(String::valueOf).collect(Collectors.joining(","));
        Path png = dir.resolve("png");
        CliRun run = CliRun.of("visualize", LENET, "--input-npy", LENET_INPUT, "--layer", "flatten1", "--method",
                "all", "--neuron", seventy, "-o", png.toString());
        assertThat(run.code()).as(run.err()).isZero();
        try (Stream<Path> files = Files.list(png)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("all_flatten1_page1.png", "all_flatten1_page2.png", "all_flatten1_page3.png");
        }
        // 32x32 panels are drawn at 128x128: title 28 + labels 20 + rows x (128 + colour bar + 8) + 8
        BufferedImage first = ImageIO.read(png.resolve("all_flatten1_page1.png").toFile());
        BufferedImage last = ImageIO.read(png.resolve("all_flatten1_page3.png").toFile());
        int row = 136 + io.dnnvis.methods.render.ColorBar.HEIGHT;
        assertThat(first.getHeight()).isEqualTo(28 + 20 + 32 * row + 8);
        assertThat(last.getHeight()).isEqualTo(28 + 20 + 6 * row + 8);
        assertThat(first.getWidth()).isEqualTo(last.getWidth());
        assertThat(run.out()).contains("wrote " + png.resolve("all_flatten1_page3.png"));
    }

    @Test
    void rowsPerFigureFollowThePixelBudget() {
        assertThat(VisualizeCommand.rowsPerFigure(4, 32, 32)).isEqualTo(32); // 65536 pixels a row: the row cap
        assertThat(VisualizeCommand.rowsPerFigure(4, 224, 224)).isEqualTo(32); // 39 would fit
        assertThat(VisualizeCommand.rowsPerFigure(4, 512, 512)).isEqualTo(7); // 8000000 / 1048576
        assertThat(VisualizeCommand.rowsPerFigure(4, 4096, 4096)).isEqualTo(1); // one row, even over the budget
    }

    @Test
    void manyEmptyReconstructionsAreOneWarningLine() throws Exception {
        Path npy = dir.resolve("r.npy");
        CliRun run = CliRun.of("visualize", LENET, "--input-npy", LENET_INPUT, "--layer", "flatten1", "--method",
                "deconvnet", "--neuron", "all", "--save-npy", npy.toString());
        assertThat(run.code()).as(run.err()).isZero();
        TensorValue r = Npy.read(npy, "r");
        assertThat(r.shape()).containsExactly(400, 3, 32, 32);
        float[] data = r.data();
        List<Integer> zero = new ArrayList<>();
        for (int n = 0; n < 400; n++) {
            boolean all = true;
            for (int i = n * 3072; i < (n + 1) * 3072; i++) {
                all &= data[i] == 0f;
            }
            if (all) {
                zero.add(n);
            }
        }
        assertThat(zero.size()).isGreaterThan(VisualizeCommand.MAX_WARNINGS);
        String first = zero.stream().limit(10).map(String::valueOf).collect(Collectors.joining(", "));
        assertThat(run.err()).isEqualTo("warning: deconvnet: " + zero.size() + " of 400 reconstructions are all zeros"
                + " (no signal reached the input; inactive for this input?): neurons " + first + ", ..."
                + System.lineSeparator());
    }

    @Test
    void fewEmptyReconstructionsAreOneLineEach() {
        CliRun all = CliRun.of("visualize", LENET, "--input-npy", LENET_INPUT, "--layer", "flatten1", "--method",
                "deconvnet", "--neuron", "all", "--save-npy", dir.resolve("a.npy").toString());
        String listed = all.err().substring(all.err().indexOf("neurons ") + "neurons ".length()).strip();
        List<String> two = List.of(listed.split(", ")).subList(0, 2);
        CliRun run = CliRun.of("visualize", LENET, "--input-npy", LENET_INPUT, "--layer", "flatten1", "--method",
                "deconvnet", "--neuron", String.join(",", two), "--save-npy", dir.resolve("b.npy").toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err().lines()).containsExactly(
                "warning: deconvnet neuron " + two.get(0) + ": the reconstruction is all zeros (no signal reached the"
                        + " input; is the neuron active for this input?)",
                "warning: deconvnet neuron " + two.get(1) + ": the reconstruction is all zeros (no signal reached the"
                        + " input; is the neuron active for this input?)");
    }

    @CommandLine.Command(name = "exhaust")
    static final class Exhaust implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void anExhaustedHeapIsOneLineAndExitOne() {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand(new Exhaust());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("exhaust")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: out of memory (Java heap of " + (Runtime.getRuntime().maxMemory()
                >> 20) + " MiB): ask for less (fewer neurons, e.g. --neuron top:K; a smaller --batch) or give Java"
                + " more (DNNVIS_JAVA_OPTS=-Xmx8g)" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }
}
