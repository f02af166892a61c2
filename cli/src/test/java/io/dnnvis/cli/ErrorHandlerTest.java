package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.onnx.InvalidModelException;
import io.dnnvis.onnx.UnknownLayerException;
import io.dnnvis.onnx.UserErrorException;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.ModelRefusedException;
import io.dnnvis.trace.UnsupportedGraphException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Every failure a command throws maps, by type, to an exit code and a line on stderr: the user
 * errors of every module to 2 and exactly one line (never a stack trace, not even with --verbose),
 * the rest to 1 with the trace only under --verbose.
 */
class ErrorHandlerTest {

    private static final List<UserErrorException> USER_ERRORS = List.of(
            new InvalidModelException(Path.of("m.onnx"), "not an ONNX model"),
            new UnknownLayerException("conv9", List.of("conv1", "conv2")),
            new BadInputException("x.npy: shape [1, 3] does not fit input 'input' [1, 3, 32, 32]"),
            new ModelRefusedException("m.onnx: ONNX Runtime refused the model: bad\nnode",
                    new IllegalStateException("from ONNX Runtime")),
            new UnsupportedGraphException("no backward rule for: Einsum (node e1)"),
            new BadRequestException("neuron 16 does not exist in layer 'conv2' (channels 0..15)"),
            new UserException("nothing to write: give --save-npy FILE and/or -o DIR"));

    @Test
    void everyUserErrorExitsTwoWithItsMessageOnOneLineEvenWhenVerbose() {
        for (UserErrorException e : USER_ERRORS) {
            for (boolean verbose : new boolean[] {false, true}) {
                Handled h = handle(e, verbose);
                assertThat(h.code()).as(e.getClass().getSimpleName()).isEqualTo(ErrorHandler.BAD_INPUT);
                assertThat(h.err()).as(e.getClass().getSimpleName())
                        .isEqualTo("error: " + (e instanceof UnknownLayerException ? "m.onnx: " : "")
                                + e.getMessage().replace('\n', ' ') + System.lineSeparator());
            }
        }
    }

    @Test
    void otherFailuresExitOneWithTheStackTraceOnlyWhenVerbose() {
        IllegalStateException bug = new IllegalStateException("index 3 out of bounds");
        Handled quiet = handle(bug, false);
        assertThat(quiet.code()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(quiet.err()).isEqualTo("error: internal error: index 3 out of bounds" + System.lineSeparator());
        Handled verbose = handle(bug, true);
        assertThat(verbose.code()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(verbose.err()).startsWith("error: internal error: index 3 out of bounds")
                .contains("java.lang.IllegalStateException", "\tat ");

        Handled engine = handle(new EngineException("the CUDA execution provider failed to start"), false);
        assertThat(engine.code()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(engine.err()).as("ONNX Runtime's failure is no dnnvis bug")
                .isEqualTo("error: the CUDA execution provider failed to start" + System.lineSeparator());
    }

    @Test
    void aLayerTheModelDoesNotHaveIsNamedWithTheModelFile(@TempDir Path dir) {
        String model = TestData.glyphNet().toString();
        String image = TestData.file("images/glyphs/R.png").toString();
        for (String[] args : List.of(
                new String[] {"visualize", model, "--image", image, "--layer", "convX", "--neuron", "0",
                        "-o", dir.resolve("v").toString()},
                new String[] {"occlusion", model, "--image", image, "--layer", "convX", "--window", "7",
                        "--stride", "8", "-o", dir.resolve("o").toString()},
                new String[] {"audit", model, "--images", TestData.file("images/glyphs").toString(), "--layer", "convX",
                        "-o", dir.resolve("a").toString()})) {
            CliRun run = CliRun.of(args);
            assertThat(run.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).as(String.join(" ", args))
                    .startsWith("error: " + model + ": no layer 'convX'");
        }
    }

    @Test
    void picocliRefusalsAreOneLineWithoutADoubledPrefix() {
        CliRun noInput = CliRun.of("predict", "m.onnx");
        assertThat(noInput.code()).isEqualTo(2);
        assertThat(noInput.err()).isEqualTo("error: Missing required argument (specify one of these): "
                + "(--image=FILE | --input-npy=FILE) (see 'dnnvis predict --help')" + System.lineSeparator());
        CliRun noCommand = CliRun.of();
        assertThat(noCommand.code()).isEqualTo(2);
        assertThat(noCommand.err()).isEqualTo("error: missing command (see 'dnnvis --help')" + System.lineSeparator());
        CliRun unknown = CliRun.of("layers", "m.onnx", "--bogus");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("error: Unknown option: '--bogus' (see 'dnnvis layers --help')"
                + System.lineSeparator());
    }

    private record Handled(int code, String err) {
    }

    /** What the handler does with {@code e} thrown by {@code dnnvis layers m.onnx [--verbose]}. */
    private static Handled handle(Exception e, boolean verbose) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        ParseResult parsed = verbose ? cl.parseArgs("layers", "m.onnx", "--verbose") : cl.parseArgs("layers", "m.onnx");
        int code = new ErrorHandler().handleExecutionException(e, cl.getSubcommands().get("layers"), parsed);
        return new Handled(code, err.toString());
    }
}
