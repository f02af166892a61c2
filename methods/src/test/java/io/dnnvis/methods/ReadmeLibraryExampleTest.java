package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
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
 * The README's "Library" example, as written there, compiles against this module and runs: on the
 * demo model GlyphNet (which has the layers it names) and a glyph image instead of its files.
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
        Path source = dir.resolve("readme/LibraryExample.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, String.join("\n",
                "package readme;",
                "import io.dnnvis.methods.*;",
                "import io.dnnvis.methods.core.*;",
                "import io.dnnvis.methods.occlusion.*;",
                "import io.dnnvis.trace.*;",
                "import java.nio.file.Path;",
                "import org.nd4j.linalg.api.ndarray.INDArray;",
                "public final class LibraryExample {",
                "    public static void run() throws Exception {",
                body,
                "    }",
                "}"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean compiled = javac.getTask(messages, null, null,
                List.of("-classpath", classPath, "-d", dir.toString(), "-proc:none"), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile())).call();
        assertThat(compiled).as("the README example compiles:%n%s", messages).isTrue();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("readme.LibraryExample").getMethod("run").invoke(null);
        } catch (InvocationTargetException e) {
            throw new AssertionError("the README example fails: " + e.getCause(), e.getCause());
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
