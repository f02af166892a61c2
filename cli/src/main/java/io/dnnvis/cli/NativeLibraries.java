package io.dnnvis.cli;

import io.dnnvis.trace.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loads ONNX Runtime's native libraries so that a run leaves nothing in the temporary folder.
 *
 * <p>Left alone, ONNX Runtime's Java loader extracts its libraries into a new
 * {@code onnxruntime-java<N>} folder of {@code java.io.tmpdir} on every start, and the folder stays
 * after the JVM exits. Here the libraries are extracted once into
 * {@code ~/.cache/dnnvis/native/onnxruntime-<key>/} ({@code $XDG_CACHE_HOME} where set; the key is
 * the libraries' CRC and size, so another ONNX Runtime gets another folder) and named by the
 * {@code onnxruntime.native.path} property, with which the loader removes its folder at exit.
 *
 * <p>The native library also opens {@code mat-debug-<pid>.log} in {@code $TMPDIR} (else {@code /tmp})
 * when its environment starts (its telemetry SDK's debug log, empty), and a {@code .ses} session file
 * there: the log of this process is removed when the JVM exits, and so is {@code .ses} when this
 * process created it (one that was there before is left as it was).
 */
final class NativeLibraries {

    static final String PATH_PROPERTY = "onnxruntime.native.path";
    private static final String RESOURCES = "/ai/onnxruntime/native/";
    private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");
    private static boolean prepared;

    private NativeLibraries() {
    }

    /** Before ONNX Runtime is first used: names the cached libraries and removes the debug log at exit. */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        prepared = true;
        List<Path> sessionFiles = nativeTempFolders().stream().map(f -> f.resolve(".ses"))
                .filter(f -> !Files.exists(f, LinkOption.NOFOLLOW_LINKS)).toList();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> removeNativeTempFiles(sessionFiles),
                "dnnvis-native-cleanup"));
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        try {
            Path folder = extractOnce();
            if (folder != null) {
                System.setProperty(PATH_PROPERTY, folder.toString());
            }
        } catch (IOException | RuntimeException e) {
            // a cache that cannot be written: ONNX Runtime extracts into the temporary folder as before
        }
    }

    /** The cache folder holding both libraries (extracted when missing), or null where the jar has none. */
    private static Path extractOnce() throws IOException {
        String osArch = osArch();
        StringBuilder key = new StringBuilder();
        for (String lib : LIBRARIES) {
            URL url = NativeLibraries.class.getResource(RESOURCES + osArch + "/" + System.mapLibraryName(lib));
            if (url == null) {
                return null;
            }
            URLConnection c = url.openConnection();
            long crc = c instanceof JarURLConnection j ? j.getJarEntry().getCrc() : 0;
            key.append(key.length() == 0 ? "" : "-").append(Long.toHexString(crc)).append('-')
                    .append(Long.toHexString(c.getContentLengthLong()));
        }
        Path folder = cacheHome().resolve("dnnvis/native/onnxruntime-" + osArch + "-"
                + Integer.toHexString(key.toString().hashCode()));
        Files.createDirectories(folder);
        for (String lib : LIBRARIES) {
            String name = System.mapLibraryName(lib);
            URL url = NativeLibraries.class.getResource(RESOURCES + osArch + "/" + name);
            URLConnection c = url.openConnection();
            Path target = folder.resolve(name);
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == c.getContentLengthLong()) {
                continue;
            }
            try (InputStream in = c.getInputStream()) {
                AtomicFiles.write(target, in::transferTo);
            }
        }
        return folder;
    }

    private static Path cacheHome() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg);
        }
        return Path.of(System.getProperty("user.home"), ".cache");
    }

    /** ONNX Runtime's name for this platform's resource folder ({@code linux-x64}, {@code osx-aarch64}...). */
    static String osArch() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return o + "-" + a;
    }

    /** Where the native library writes: {@code $TMPDIR}, else {@code /tmp}. */
    private static List<Path> nativeTempFolders() {
        String tmp = System.getenv("TMPDIR");
        return tmp == null || tmp.isBlank() ? List.of(Path.of("/tmp")) : List.of(Path.of(tmp), Path.of("/tmp"));
    }

    /** Removes this process's {@code mat-debug-<pid>.log}, and the session files it created. */
    private static void removeNativeTempFiles(List<Path> createdSessionFiles) {
        String log = "mat-debug-" + ProcessHandle.current().pid() + ".log";
        List<Path> files = new java.util.ArrayList<>(createdSessionFiles);
        nativeTempFolders().forEach(f -> files.add(f.resolve(log)));
        for (Path file : files) {
            try {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(file);
                }
            } catch (IOException | RuntimeException ignored) {
                // best effort while the JVM stops
            }
        }
    }
}
