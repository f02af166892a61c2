package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every error line starts with one "error: ", whatever prefix picocli or a wrapped message brings. */
class ErrorPrefixTest {

    @Test
    void leadingErrorPrefixesAreDroppedAndNothingElse() {
        assertThat(ErrorHandler.withoutErrorPrefix("Error: Missing required option: '--stride=S'"))
                .isEqualTo("Missing required option: '--stride=S'");
        assertThat(ErrorHandler.withoutErrorPrefix("error: Error: ERROR:x")).isEqualTo("x");
        assertThat(ErrorHandler.withoutErrorPrefix("Errors in the graph")).isEqualTo("Errors in the graph");
        assertThat(ErrorHandler.withoutErrorPrefix("no layer 'error: x'")).isEqualTo("no layer 'error: x'");
    }

    @Test
    void everyRefusedCommandLineHasOnePrefix() {
        List<String[]> lines = List.of(
                new String[] {"visualize"},
                new String[] {"visualize", "m.onnx"},
                new String[] {"occlusion", "m.onnx", "--image", "x.png"},
                new String[] {"occlusion", "m.onnx", "--image", "x.png", "--window", "3"},
                new String[] {"visualize", "m.onnx", "--image", "x.png", "--input-npy", "x.npy"},
                new String[] {"visualize", "m.onnx", "--image", "x.png", "--neuron"},
                new String[] {"visualize", "m.onnx", "--image", "x.png", "--neuron", "top:0"},
                new String[] {"bench", "m.onnx", "--layer", "c", "--neuron", "top:3"},
                new String[] {"bogus"});
        for (String[] args : lines) {
            CliRun run = CliRun.of(args);
            assertThat(run.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).as(String.join(" ", args)).startsWith("error: ")
                    .doesNotContainPattern("(?i)^error:\\s*error");
        }
    }

    @Test
    void aMessageThatBringsItsOwnPrefixGetsOne() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = new ErrorHandler().handleExecutionException(new UserException("Error: x.png: cannot read"),
                cl.getSubcommands().get("layers"), cl.parseArgs("layers", "m.onnx"));
        assertThat(code).isEqualTo(ErrorHandler.BAD_INPUT);
        assertThat(err.toString()).isEqualTo("error: x.png: cannot read" + System.lineSeparator());
    }
}
