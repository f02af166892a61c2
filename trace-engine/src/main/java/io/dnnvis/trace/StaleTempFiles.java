package io.dnnvis.trace;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The temporary files of atomic writes, named {@code .NAME.dnnvis-PID-RANDOM.tmp} so that a later
 * run recognises those a killed process left behind: a file of this form whose process is no longer
 * alive is removed when the next write goes into its folder (once a folder per process).
 */
final class StaleTempFiles {

    private static final Pattern NAME = Pattern.compile("\\..+\\.dnnvis-([0-9]{1,19})-[0-9a-z]+\\.tmp");
    private static final long OWN_PID = ProcessHandle.current().pid();
    private static final Set<Path> CLEANED = ConcurrentHashMap.newKeySet();

    private StaleTempFiles() {
    }

    /** The temporary file's name for a write of {@code fileName} by this process. */
    static String name(String fileName, long random) {
        return "." + fileName + ".dnnvis-" + OWN_PID + "-" + Long.toUnsignedString(random, 36) + ".tmp";
    }

    /** Removes the stale temporary files in {@code folder}, the first time this process writes there. */
    static void removeOnce(Path folder) {
        if (folder != null && CLEANED.add(folder)) {
            remove(folder);
        }
    }

    /** Removes the regular files in {@code folder} named as temporary files of a process no longer alive. */
    static void remove(Path folder) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, ".*.dnnvis-*.tmp")) {
            for (Path p : entries) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && !alive(m.group(1)) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | SecurityException ignored) {
            // best effort: the write itself reports a folder it cannot use
        }
    }

    private static boolean alive(String pid) {
        try {
            long p = Long.parseLong(pid);
            return p == OWN_PID || ProcessHandle.of(p).isPresent();
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
