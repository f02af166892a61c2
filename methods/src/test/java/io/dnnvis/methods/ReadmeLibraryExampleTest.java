package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Library" example, as written there (imports, class and main), compiles against this
 * module and runs: on the demo model GlyphNet (which has the layers it names) and a glyph image
 * instead of its files. The shapes its comments give are checked too.
 */
class ReadmeLibraryExampleTest {

    private static final String MODEL = "Path.of(\"alexnet.onnx\")";
    private static final String INPUT = "Path.of(\"input.npy\")";

    @Test
    void theLibraryExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        String example = libraryExample();
        assertThat(example).contains(MODEL, INPUT);
        String body = example.replace(MODEL, pathOf(TestData.glyphNet()))
                .replace(INPUT, pathOf(TestData.file("inputs/glyph-R.npy")));
        assertThat(example).contains("import io.dnnvis.methods.Visualizer;", "public class LibraryExample {");
        Path source = dir.resolve("LibraryExample.java");
        Files.writeString(source, body); // as written: the README's imports, class and main
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean compiled = javac.getTask(messages, null, null,
                List.of("-classpath", classPath, "-d", dir.toString(), "-proc:none"), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile())).call();
        assertThat(compiled).as("the README example compiles:%n%s", messages).isTrue();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("LibraryExample").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            throw new AssertionError("the README example fails: " + e.getCause(), e.getCause());
        }
    }

    @Test
    void theShapesTheExampleGivesAreTheResultsShapes() {
        try (Visualizer vis = Visualizer.open(TestData.glyphNet())) {
            TensorValue input = Npy.read(TestData.file("inputs/glyph-R.npy"), "input");
            Reconstruction r = vis.desalinet().layer("conv4").neurons(1, 2).withActivation().run(input);
            Reconstruction s = vis.salinet().layer("conv4").allNeurons().withSignals().run(input);
            long[] in = input.shape();
            long channels = r.activation().shape()[1];
            assertThat(r.values().shape()).containsExactly(2, in[1], in[2], in[3]);
            assertThat(r.activation().shape()).hasSize(4).startsWith(1, channels);
            long[] relu3 = s.signal("relu3").shape();
            assertThat(relu3).hasSize(5).startsWith(channels, 1);
            assertThat(s.values().shape()).containsExactly(channels, in[1], in[2], in[3]);
        }
    }

    /** The first Java block after the README's "## Library" heading. */
    private static String libraryExample() throws IOException {
        String readme = Files.readString(TestData.root().resolveSibling("README.md"));
        int section = readme.indexOf("\n## Library");
        assertThat(section).as("README has a Library section").isPositive();
        int from = readme.indexOf("```java\n", section) + "```java\n".length();
        int to = readme.indexOf("```", from);
        return readme.substring(from, to);
    }

    private static String pathOf(Path file) {
        return "Path.of(\"" + file.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\")";
    }
}
