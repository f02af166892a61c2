package io.dnnvis.trace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
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
     * Writes {@code target} atomically. A target that is a symbolic link, a folder or anything else
     * that is not a regular file (a FIFO, a device, a socket) is refused, never replaced. Stale
     * temporary files this class left in the folder (of processes no longer alive) are removed first.
     *
     * @throws IOException naming {@code target} (never the temporary file) when the folder is not
     *     writable, the disk is full, or the target is refused
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
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileSystemException(target.toString(), null,
                    "not a regular file (a device, FIFO or socket); refusing to replace it");
        }
        StaleTempFiles.removeOnce(folder);
        // not Files.createTempFile: its owner-only permissions would stick to the output
        Path temp = folder.resolve(StaleTempFiles.name(absolute.getFileName().toString(), RANDOM.nextLong()));
        boolean done = false;
        IN_PROGRESS.add(temp);
        try {
            OutputStream out;
            try {
                out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileSystemException e) {
                throw naming(target, folder, e);
            }
            try (out) {
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

    /** The failure to create the temporary file, naming the target and saying why. */
    private static FileSystemException naming(Path target, Path folder, FileSystemException e) {
        String reason = e.getReason() != null ? e.getReason()
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "cannot create a file in " + folder
                : e.getClass().getSimpleName();
        FileSystemException named = e instanceof AccessDeniedException
                ? new AccessDeniedException(target.toString(), null, reason)
                : new FileSystemException(target.toString(), null, reason);
        named.initCause(e);
        return named;
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
