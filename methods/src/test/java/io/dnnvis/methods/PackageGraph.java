package io.dnnvis.methods;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dependencies between the packages of Java source trees, read from the source text: every
 * name qualified by a package under a prefix (imports, static and wildcard imports included, and
 * fully qualified names in code) makes an edge from the file's package to that package. Comments
 * and string literals are skipped. Give it several modules' source roots to see cycles across them.
 */
final class PackageGraph {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    /** from package -> (to package -> the first file, in path order, that makes the edge) */
    private final Map<String, Map<String, Path>> edges;

    private PackageGraph(Map<String, Map<String, Path>> edges) {
        this.edges = edges;
    }

    /** The graph of the packages under {@code prefix} (e.g. {@code io.dnnvis}) in the Java files below the roots. */
    static PackageGraph of(String prefix, Path... sourceRoots) {
        Pattern qualified = Pattern.compile("(?<![\\w.])(" + Pattern.quote(prefix)
                + "(?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z$][\\w$]*|\\*)");
        Map<String, Map<String, Path>> edges = new TreeMap<>();
        for (Path root : sourceRoots) {
            for (Path file : javaFiles(root)) {
                String code = codeOnly(read(file));
                Matcher declared = PACKAGE.matcher(code);
                if (!declared.find() || !declared.group(1).startsWith(prefix)) {
                    continue;
                }
                String from = declared.group(1);
                Map<String, Path> out = edges.computeIfAbsent(from, k -> new TreeMap<>());
                Matcher m = qualified.matcher(code);
                while (m.find()) {
                    String to = m.group(1);
                    if (!to.equals(from)) {
                        out.putIfAbsent(to, file);
                    }
                }
            }
        }
        return new PackageGraph(edges);
    }

    /** The packages declared in the sources. */
    Set<String> packages() {
        return new TreeSet<>(edges.keySet());
    }

    /** The packages {@code pkg} depends on. */
    Set<String> dependencies(String pkg) {
        return new TreeSet<>(edges.getOrDefault(pkg, Map.of()).keySet());
    }

    /**
     * The groups of packages that depend on each other in a circle (strongly connected components
     * of more than one package), each sorted; empty when the graph is acyclic.
     */
    List<Set<String>> cycles() {
        return new Tarjan().components().stream().filter(c -> c.size() > 1).toList();
    }

    /** The edges inside a group, each with a file that makes it: for failure messages. */
    String describe(Set<String> group) {
        StringBuilder b = new StringBuilder();
        for (String from : group) {
            edges.getOrDefault(from, Map.of()).forEach((to, file) -> {
                if (group.contains(to)) {
                    b.append("\n  ").append(from).append(" -> ").append(to).append(" (").append(file.getFileName())
                            .append(')');
                }
            });
        }
        return b.toString();
    }

    private static List<Path> javaFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The source with comments, string and character literals (text blocks too) blanked out. */
    static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int n = source.length();
        int i = 0;
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                i = skipTo(source, i, "\n", false);
            } else if (source.startsWith("/*", i)) {
                i = skipTo(source, i + 2, "*/", false);
                out.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                i = skipTo(source, i + 3, "\"\"\"", true);
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i = skipTo(source, i + 1, String.valueOf(c), true);
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index after the first {@code end} from {@code from} (after a backslash's escape when {@code escapes}). */
    private static int skipTo(String s, int from, String end, boolean escapes) {
        int i = from;
        while (i < s.length()) {
            if (escapes && s.charAt(i) == '\\') {
                i += 2;
            } else if (s.startsWith(end, i)) {
                return end.equals("\n") ? i : i + end.length();
            } else {
                i++;
            }
        }
        return s.length();
    }

    /** Tarjan's strongly connected components over the declared packages and their dependencies. */
    private final class Tarjan {

        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<Set<String>> found = new ArrayList<>();

        List<Set<String>> components() {
            for (String p : edges.keySet()) {
                if (!index.containsKey(p)) {
                    visit(p);
                }
            }
            return found;
        }

        private void visit(String p) {
            index.put(p, index.size());
            low.put(p, index.get(p));
            stack.push(p);
            onStack.add(p);
            for (String q : edges.getOrDefault(p, Map.of()).keySet()) {
                if (!index.containsKey(q)) {
                    visit(q);
                    low.put(p, Math.min(low.get(p), low.get(q)));
                } else if (onStack.contains(q)) {
                    low.put(p, Math.min(low.get(p), index.get(q)));
                }
            }
            if (low.get(p).equals(index.get(p))) {
                Set<String> component = new TreeSet<>();
                String q;
                do {
                    q = stack.pop();
                    onStack.remove(q);
                    component.add(q);
                } while (!q.equals(p));
                found.add(component);
            }
        }
    }
}
