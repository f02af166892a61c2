package io.dnnvis.trace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes output files atomically: the bytes go to a temporary file in the target's folder, which is
 * then renamed over the target, so a reader (or a crash) never sees a partial file.
 */
public final class AtomicFiles {

    /** Writes the content of one file to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Temporary files being written: removed if the JVM is stopped (Ctrl-C, SIGTERM) meanwhile. */
    private static final java.util.Set<Path> IN_PROGRESS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> IN_PROGRESS.forEach(p -> {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort while the JVM stops
            }
        }), "dnnvis-temp-cleanup"));
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically. A target that is a symbolic link is refused, not followed.
     *
     * @throws IOException when the folder is not writable, the disk is full, or the target is a link
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (Files.isSymbolicLink(absolute)) {
            throw new IOException(target + ": is a symbolic link; refusing to write through it");
        }
        if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + ": is a folder");
        }
        // not Files.createTempFile: its owner-only permissions would stick to the output
        Path temp = folder.resolve("." + absolute.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36)
                + ".tmp");
        boolean done = false;
        IN_PROGRESS.add(temp);
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                writer.write(out);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            IN_PROGRESS.remove(temp);
            if (!done) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original failure matters more
                }
            }
        }
    }

    /** Writes bytes atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Fails when {@code target} would overwrite the same file as {@code input}. */
    public static void refuseOverwrite(Path target, Path input) throws IOException {
        if (Files.exists(target) && Files.exists(input) && Files.isSameFile(target, input)) {
            throw new FileAlreadyExistsException(target.toString(), input.toString(),
                    "output would overwrite an input file");
        }
    }
}
