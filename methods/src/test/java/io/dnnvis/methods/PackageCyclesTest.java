package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No two packages depend on each other, directly or around a circle: in the methods module, and
 * across every module's main sources; the backward compiler's packages are layered.
 */
class PackageCyclesTest {

    private static final String METHODS = "io.dnnvis.methods";

    @Test
    void theMethodsModulesPackagesFormNoCycle() {
        PackageGraph graph = PackageGraph.of("io.dnnvis", TestData.root().resolveSibling("methods/src/main/java"));
        // the scan sees the module: its packages and the dependencies that are meant to be there
        assertThat(graph.packages()).contains(METHODS, METHODS + ".core", METHODS + ".occlusion",
                METHODS + ".render", METHODS + ".image");
        assertThat(graph.dependencies(METHODS)).contains(METHODS + ".core", METHODS + ".occlusion",
                "io.dnnvis.trace.backward");
        assertThat(graph.dependencies(METHODS + ".occlusion")).contains(METHODS + ".core", METHODS + ".render")
                .doesNotContain(METHODS);
        assertThat(graph.dependencies(METHODS + ".core")).noneMatch(p -> p.startsWith(METHODS));
        List<Set<String>> cycles = graph.cycles();
        String described = cycles.stream().map(graph::describe).collect(Collectors.joining());
        assertThat(cycles).as("package cycles:%s", described).isEmpty();
    }

    @Test
    void theProjectsPackagesFormNoCycleAndTheBackwardPackagesAreLayered() {
        Path root = TestData.root().toAbsolutePath().normalize().getParent();
        PackageGraph graph = PackageGraph.of("io.dnnvis", Stream.of("onnx-import", "model-builder", "trace-engine",
                "methods", "cli").map(m -> root.resolve(m).resolve("src/main/java")).toArray(Path[]::new));
        String backward = "io.dnnvis.trace.backward";
        assertThat(graph.packages()).contains(backward, backward + ".graph", backward + ".rules",
                backward + ".passes", "io.dnnvis.trace", "io.dnnvis.onnx", "io.dnnvis.cli");
        // rules see the rule API only; passes see it and the rules; the compiler sees all three
        assertThat(graph.dependencies(backward + ".graph")).noneMatch(p -> p.startsWith(backward + "."));
        assertThat(graph.dependencies(backward + ".rules")).filteredOn(p -> p.startsWith(backward))
                .containsExactly(backward + ".graph");
        assertThat(graph.dependencies(backward + ".passes")).filteredOn(p -> p.startsWith(backward))
                .containsExactlyInAnyOrder(backward + ".graph", backward + ".rules");
        assertThat(graph.dependencies(backward)).contains(backward + ".graph", backward + ".rules",
                backward + ".passes");
        List<Set<String>> cycles = graph.cycles();
        String described = cycles.stream().map(graph::describe).collect(Collectors.joining());
        assertThat(cycles).as("package cycles:%s", described).isEmpty();
    }

    @Test
    void aCycleIsFoundThroughImportsAndQualifiedNamesButNotThroughCommentsOrStrings(@TempDir Path dir)
            throws IOException {
        write(dir, "x/a/A.java", "package x.a;\nimport x.b.B;\nclass A { B b; }\n");
        write(dir, "x/b/B.java", "package x.b;\nclass B { Object a = new x.a.A(); }\n");
        write(dir, "x/c/C.java", "package x.c;\nimport static x.d.D.twice;\n"
                + "/** {@link x.a.A} */ class C { String s = \"x.b.B\"; char q = '\"'; // x.a.A\n"
                + " int t = twice(1); }\n");
        write(dir, "x/d/D.java", "package x.d;\nimport x.c.*;\nclass D { static int twice(int v) { return 2 * v; } }\n");
        write(dir, "x/e/E.java", "package x.e;\nclass E { String block = \"\"\"\n  x.a.A \"\n  \"\"\"; x.d.D d; }\n");
        PackageGraph graph = PackageGraph.of("x", dir);
        assertThat(graph.packages()).containsExactly("x.a", "x.b", "x.c", "x.d", "x.e");
        assertThat(graph.dependencies("x.c")).containsExactly("x.d");
        assertThat(graph.dependencies("x.e")).containsExactly("x.d");
        assertThat(graph.cycles()).containsExactlyInAnyOrder(Set.of("x.a", "x.b"), Set.of("x.c", "x.d"));
        assertThat(graph.describe(Set.of("x.a", "x.b"))).contains("x.a -> x.b (A.java)", "x.b -> x.a (B.java)");
        Files.delete(dir.resolve("x/b/B.java"));
        Files.delete(dir.resolve("x/d/D.java"));
        assertThat(PackageGraph.of("x", dir).cycles()).isEmpty();
    }

    private static void write(Path dir, String file, String text) throws IOException {
        Path p = dir.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
