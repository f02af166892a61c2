package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.methods.image.ResizeMode;
import io.dnnvis.methods.occlusion.Fill;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.render.Colormap;
import io.dnnvis.trace.ExecutionProvider;
import io.dnnvis.trace.backward.rules.Pooling;
import io.dnnvis.trace.backward.StartSignal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values are typed: picocli converts them while parsing, so a bad value is refused before the
 * command runs (here the model file does not even exist), as one line naming the option and listing
 * what is valid.
 */
class OptionValuesTest {

    /** visualize without --neuron, and with one. */
    private static final List<String> VISUALIZE_ANY = List.of("visualize", "missing.onnx", "--input-npy", "x.npy",
            "--layer", "conv2", "--save-npy", "r.npy");
    private static final List<String> VISUALIZE = with(VISUALIZE_ANY, "--neuron", "1");
    /** occlusion without --window and --stride, and with them. */
    private static final List<String> OCCLUSION_ANY = List.of("occlusion", "missing.onnx", "--input-npy", "x.npy",
            "--layer", "conv2", "--save-npy", "o.npy");
    private static final List<String> OCCLUSION = with(OCCLUSION_ANY, "--window", "5", "--stride", "2");
    private static final List<String> BENCH = List.of("bench", "missing.onnx", "--layer", "conv2");

    @Test
    void typedValuesAreReadInAnyCaseWithTheDocumentedSpellings() {
        VisualizeCommand v = parse(VisualizeCommand.class, VISUALIZE_ANY, "--method", "ALL", "--pooling", "Center",
                "--start", "ones", "--yx", "3, 4", "--neuron", "TOP:3", "--cmap", "grey", "--range", "-1,2.5",
                "--device", "CPU", "--threads", "2", "--preprocess", "Caffe", "--resize", "fit", "--input-size",
                "48X64");
        assertThat(v.method.methods()).containsExactly(BackwardMethod.DECONVNET, BackwardMethod.SALINET,
                BackwardMethod.DESALINET);
        assertThat(v.pooling).isEqualTo(Pooling.CENTER);
        assertThat(v.start).isEqualTo(StartSignal.ONES);
        assertThat(v.yx).isEqualTo(new Position(3, 4));
        assertThat(v.neurons).isEqualTo(new Neurons.Strongest(3));
        assertThat(v.heatmapStyle.cmap).isEqualTo(Colormap.GRAY);
        assertThat(v.heatmapStyle.range).isEqualTo(new ValueRange(-1, 2.5));
        assertThat(v.common.device).isEqualTo(ExecutionProvider.CPU);
        assertThat(v.common.threads).isEqualTo(2);
        assertThat(v.input.preprocessing.preprocess).isEqualTo(Preprocessing.CAFFE);
        assertThat(v.input.preprocessing.resize).isEqualTo(ResizeMode.FIT);
        assertThat(v.input.preprocessing.inputSize).isEqualTo(new ImageSize(48, 64));

        OcclusionCommand o = parse(OcclusionCommand.class, OCCLUSION, "--fill", "Channel-Mean", "--target",
                "neuron:5,4,6", "--channel", "3, 5", "--channel", "7");
        assertThat(o.fill).isEqualTo(Fill.channelMean());
        assertThat(o.target).isEqualTo(new Target.NeuronScore(5, Optional.of(new GridPoint(4, 6))));
        assertThat(o.channels).containsExactly(3, 5, 7);

        BenchCommand b = parse(BenchCommand.class, BENCH, "--method", "Occlusion", "--neuron", "all",
                "--input-shape", "2, 3, 32, 32");
        assertThat(b.method).isEqualTo(BenchMethod.OCCLUSION);
        assertThat(b.method.backward()).isEmpty();
        assertThat(b.neurons).isEqualTo(new Neurons.All());
        assertThat(b.inputShape).isEqualTo(new InputShape(new long[] {2, 3, 32, 32}));
    }

    @Test
    void defaultsAreTyped() {
        VisualizeCommand v = parse(VisualizeCommand.class, VISUALIZE);
        assertThat(v.method.methods()).containsExactly(BackwardMethod.DESALINET);
        assertThat(v.pooling).isEqualTo(Pooling.SWITCH);
        assertThat(v.start).isEqualTo(StartSignal.ACTIVATION);
        assertThat(v.neurons).isEqualTo(new Neurons.Listed(new int[] {1}));
        assertThat(v.common.device).isEqualTo(ExecutionProvider.CPU);
        assertThat(v.heatmapStyle.colormapChosen()).isFalse();
        assertThat(v.heatmapStyle.style().colormap()).isEqualTo(Colormap.BWR);
        assertThat(v.input.preprocessing.resize).isEqualTo(ResizeMode.CROP);
        assertThat(v.input.preprocessing.preprocess).isNull();
        BenchCommand b = parse(BenchCommand.class, BENCH);
        assertThat(b.method.backward()).contains(BackwardMethod.DESALINET);
        assertThat(b.neurons).isEqualTo(new Neurons.Listed(new int[] {0}));
        assertThat(b.batch).isZero();
        assertThat(parse(OcclusionCommand.class, OCCLUSION).fill).isEqualTo(Fill.mean());
    }

    @Test
    void aBadNameIsOneLineNamingTheOptionAndListingTheValidOnes() {
        Map<List<String>, String> cases = Map.of(
                with(VISUALIZE, "--method", "occlusion"),
                "--method: unknown method 'occlusion' (deconvnet, salinet, desalinet or all)",
                with(BENCH, "--method", "all"),
                "--method: unknown method 'all' (deconvnet, salinet, desalinet, occlusion, gradcam, gradcam++, xgradcam, layercam, hirescam, guided-gradcam, saliency, input-x-gradient, integrated-gradients, smoothgrad, smoothgrad-sq or vargrad)",
                with(VISUALIZE, "--pooling", "max"), "--pooling: unknown pooling 'max' (switch, center or spread)",
                with(VISUALIZE, "--start", "zeros"), "--start: unknown start signal 'zeros' (activation or ones)",
                with(VISUALIZE, "--cmap", "hot"), "--cmap: unknown colormap 'hot' (bwr, jet, viridis or gray)",
                with(VISUALIZE, "--resize", "squash"), "--resize: unknown resize mode 'squash' (crop, fit or stretch)",
                with(VISUALIZE, "--preprocess", "vgg"),
                "--preprocess: unknown preprocessing 'vgg' (unit, imagenet, caffe, inception or raw)",
                with(VISUALIZE, "--device", "tpu"), "--device: unknown execution provider 'tpu' (cpu or cuda)",
                with(OCCLUSION, "--fill", "median"),
                "--fill: unknown fill 'median' (mean, zero, channel-mean or a number)");
        cases.forEach((args, line) -> {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.code()).as(line).isEqualTo(2);
            assertThat(run.err()).isEqualTo("error: " + line + System.lineSeparator());
            assertThat(run.out()).isEmpty();
        });
    }

    @Test
    void compoundValuesAndBoundsAreRefusedWithTheOptionsName() {
        Map<List<String>, String> cases = Map.ofEntries(
                Map.entry(with(VISUALIZE_ANY, "--neuron", "1,,x"),
                        "--neuron: '1,,x' is not a list of channel numbers or class labels, all or top:K"),
                Map.entry(with(VISUALIZE_ANY, "--neuron", "top:0"), "--neuron: top:K needs K > 0, got 'top:0'"),
                Map.entry(with(VISUALIZE_ANY, "--neuron", "top:many"), "--neuron: 'top:many' is not top:K"),
                Map.entry(with(BENCH, "--neuron", "top:3"), "--neuron: 'top:3' is not a list of channel numbers or all"),
                Map.entry(with(VISUALIZE, "--yx", "3"), "--yx: '3' is not a position Y,X"),
                Map.entry(with(VISUALIZE, "--range", "0"), "--range: '0' is not a range LO,HI"),
                Map.entry(with(VISUALIZE, "--input-size", "64"), "--input-size: '64' is not a size like 224x224"),
                Map.entry(with(BENCH, "--input-shape", "1,0"),
                        "--input-shape: '1,0': dimensions must be between 1 and 1000000"),
                Map.entry(with(OCCLUSION, "--target", "logit:3"),
                        "--target: target 'logit:3' is not class:K, class:LABEL, class:K@t, output:NAME[i,j,...], neuron:C or neuron:C,Y,X"),
                Map.entry(with(OCCLUSION, "--channel", "1,x"), "--channel: 'x' is not an int"),
                Map.entry(with(VISUALIZE, "--threads", "-1"), "--threads: must be 0 to 1024, got -1"),
                Map.entry(with(VISUALIZE, "--max-tensor-bytes", "0"), "--max-tensor-bytes: must be positive, got 0"),
                Map.entry(with(BENCH, "--repeat", "0"), "--repeat: must be positive, got 0"),
                Map.entry(with(BENCH, "--warmup", "-1"), "--warmup: must not be negative, got -1"),
                Map.entry(with(BENCH, "--batch", "-1"), "--batch: must not be negative, got -1"),
                Map.entry(with(OCCLUSION, "--batch", "0"), "--batch: must be positive, got 0"),
                Map.entry(with(OCCLUSION, "--window", "five"), "--window: 'five' is not an integer"));
        cases.forEach((args, line) -> {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.code()).as(line).isEqualTo(2);
            assertThat(run.err()).isEqualTo("error: " + line + System.lineSeparator());
        });
    }

    @Test
    void windowAndStrideAreCheckedAlikeByEveryCommandThatTakesThem() {
        Map<String[], String> cases = Map.of(
                new String[] {"--window", "4", "--stride", "2"}, "--window: must be odd and positive, got 4",
                new String[] {"--window", "-5", "--stride", "2"}, "--window: must be odd and positive, got -5",
                new String[] {"--window", "5", "--stride", "0"}, "--stride: must be positive, got 0");
        for (List<String> command : List.of(OCCLUSION_ANY, with(BENCH, "--method", "occlusion"))) {
            cases.forEach((windowAndStride, line) -> {
                CliRun run = CliRun.of(with(command, windowAndStride).toArray(String[]::new));
                assertThat(run.code()).isEqualTo(2);
                assertThat(run.err()).as(command.get(0) + " " + String.join(" ", windowAndStride))
                        .isEqualTo("error: " + line + System.lineSeparator());
            });
        }
    }

    @Test
    void visualizeChecksTheHeatMapStyleBeforeLoadingTheModel() {
        CliRun alpha = CliRun.of(with(VISUALIZE, "--heatmap", "--alpha", "2").toArray(String[]::new));
        assertThat(alpha.code()).isEqualTo(2);
        assertThat(alpha.err()).isEqualTo("error: --alpha: alpha must be in [0, 1], got 2.0" + System.lineSeparator());
        CliRun both = CliRun.of(with(VISUALIZE, "--heatmap", "--absolute", "--range", "0,1").toArray(String[]::new));
        assertThat(both.err()).isEqualTo("error: give at most one of --centering, --absolute, --min-max and --range"
                + System.lineSeparator());
        CliRun range = CliRun.of(with(VISUALIZE, "--heatmap", "--range", "1,0").toArray(String[]::new));
        assertThat(range.err()).isEqualTo("error: --range: range 1.0,0.0 must be finite with LO < HI"
                + System.lineSeparator());
    }

    @Test
    void neuronsReadTheirThreeForms() {
        assertThat(Neurons.parse(" All ")).isEqualTo(new Neurons.All());
        assertThat(Neurons.parse("top: 7")).isEqualTo(new Neurons.Strongest(7));
        assertThat(Neurons.parse("3, 10,42")).isEqualTo(new Neurons.Listed(new int[] {3, 10, 42}));
        assertThat(((Neurons.Listed) Neurons.parse("5,1")).channels()).containsExactly(5, 1);
        assertThatThrownBy(() -> Neurons.parse("1,,2")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> Neurons.parse("all,3")).isInstanceOf(TypeConversionException.class);
        assertThat(new Neurons.ListedOrAll().convert("all")).isEqualTo(new Neurons.All());
        assertThat(new Neurons.ListedOrAll().convert("2,4")).isEqualTo(new Neurons.Listed(new int[] {2, 4}));
    }

    @Test
    void enumNamesAreListedTheWayTheyAreWritten() {
        assertThat(ValueTypes.label(Fill.Kind.CHANNEL_MEAN)).isEqualTo("channel-mean");
        assertThat(ValueTypes.listing(List.of("a"))).isEqualTo("a");
        assertThat(ValueTypes.listing(List.of("a", "b", "c"))).isEqualTo("a, b or c");
    }

    /** The command object after parsing {@code args} plus {@code more}. */
    private static <T> T parse(Class<T> type, List<String> args, String... more) {
        var parsed = Main.commandLine().parseArgs(with(args, more).toArray(String[]::new));
        return type.cast(parsed.subcommand().commandSpec().userObject());
    }

    private static List<String> with(List<String> args, String... more) {
        return Stream.concat(args.stream(), Stream.of(more)).toList();
    }
}
