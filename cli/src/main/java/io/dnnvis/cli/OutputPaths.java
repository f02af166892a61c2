package io.dnnvis.cli;

import io.dnnvis.trace.AtomicFiles;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks and writes the files a command produces: atomically, never over an input, never through a
 * link. Every failure is a {@link UserException} naming the path: one line, exit code 2.
 */
final class OutputPaths {

    private OutputPaths() {
    }

    /** A name from an untrusted model made safe for a file name (letters, digits, '.', '-', '_'). */
    static String safeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[._]+", "");
        if (s.isEmpty()) {
            s = "layer";
        }
        return s.length() > 48 ? s.substring(0, 48) : s;
    }

    /** Creates (if needed) and checks an output folder: called when the first file is written into it. */
    static Path folder(Path dir) {
        checkFolder(dir);
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new UserException(dir + ": output folder is not writable");
            }
            return dir;
        } catch (AccessDeniedException e) {
            throw new UserException(dir + ": cannot create the output folder: permission denied");
        } catch (IOException e) {
            throw new UserException(dir + ": cannot create the output folder (" + reason(e) + ")");
        }
    }

    /**
     * Fails unless {@link #folder} could create (or use) {@code dir}, creating nothing: checked before
     * a run, so that a run that then fails leaves no empty folder behind.
     */
    static void checkFolder(Path dir) {
        if (dir.toString().isEmpty()) {
            throw new UserException("the output folder's path is empty; name a folder (-o DIR)");
        }
        if (Files.isSymbolicLink(dir)) {
            throw new UserException(dir + ": output folder is a symbolic link; refusing to follow it");
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserException(dir + ": exists and is not a folder");
        }
        requireNoLinkOrAbsentFolderAbove(dir);
        Path blocking = fileAbove(dir);
        if (blocking != null) {
            throw new UserException(dir + ": cannot create the output folder: " + blocking + " is not a folder");
        }
        Path existing = nearestExisting(dir);
        if (existing != null && !Files.isWritable(existing)) {
            throw new UserException(existing.equals(dir.toAbsolutePath()) ? dir + ": output folder is not writable"
                    : dir + ": cannot create the output folder: permission denied");
        }
    }

    /** {@code dir} itself (absolute) when it exists, else the nearest folder above it that does; null if none. */
    private static Path nearestExisting(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Fails when a folder on the way to {@code dir}, as the user wrote it, is a symbolic link (as for
     * {@code dir} itself), or when a {@code ..} follows a folder that does not exist (it would be created
     * only to be left again).
     */
    private static void requireNoLinkOrAbsentFolderAbove(Path dir) {
        Path prefix = dir.getRoot();
        for (Path part : dir) {
            if (part.toString().equals("..") && prefix != null && !Files.isDirectory(prefix)) {
                throw new UserException(dir + ": cannot create the output folder: " + prefix
                        + " does not exist (a '..' after it)");
            }
            prefix = prefix == null ? part : prefix.resolve(part);
            if (Files.isSymbolicLink(prefix) && !prefix.equals(dir)) {
                throw new UserException(dir + ": " + prefix + " is a symbolic link; refusing to follow it");
            }
        }
    }

    /**
     * Fails when a folder on the way to {@code file}, as the user wrote it, is a symbolic link: as for
     * the {@code -o} folder, a file is never written through a link in its path.
     */
    private static void requireNoLinkAbove(Path file) {
        Path parent = file.getParent();
        Path prefix = file.getRoot();
        for (Path part : parent == null ? List.<Path>of() : parent) {
            prefix = prefix == null ? part : prefix.resolve(part);
            if (Files.isSymbolicLink(prefix)) {
                throw new UserException(file + ": " + prefix + " is a symbolic link; refusing to follow it");
            }
        }
    }

    /**
     * Fails when {@code file} exists and is not a regular file: a link, a FIFO, a device or a socket is
     * never written through nor replaced.
     */
    static void requireRegularOrAbsent(Path file) {
        if (Files.isSymbolicLink(file)) {
            throw new UserException(file + ": is a symbolic link; refusing to write through it");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserException(file + ": not a regular file (a device, FIFO or socket); refusing to replace it");
        }
    }

    /**
     * Fails unless {@code file} could be written (checked before long runs): its folder exists and
     * is writable, and the file is not a folder.
     */
    static void requireParentFolder(Path file) {
        requireNoLinkAbove(file);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) {
            throw new UserException(file + ": " + parent + " is not a folder");
        }
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserException(file + ": folder " + parent + " does not exist");
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserException(file + ": is a folder");
        }
        requireRegularOrAbsent(file);
        if (parent != null && !Files.isWritable(parent)) {
            throw new UserException(file + ": folder " + parent + " is not writable");
        }
    }

    /** Writes {@code bytes} to {@code target} atomically after checking it is none of {@code inputs}. */
    static void write(Path target, byte[] bytes, List<Path> inputs) {
        write(target, out -> out.write(bytes), inputs);
    }

    /**
     * Writes {@code target} atomically after checking it is none of {@code inputs}. When the writing
     * fails (disk full...), no temporary file stays and an existing target is left as it was.
     */
    static void write(Path target, AtomicFiles.Writer writer, List<Path> inputs) {
        requireNotInput(target, inputs);
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new UserException(target + ": folder " + parent + " does not exist");
            }
            requireNoLinkAbove(target);
            requireRegularOrAbsent(target);
            AtomicFiles.write(target, writer);
        } catch (AccessDeniedException e) {
            throw new UserException(target + ": permission denied");
        } catch (IOException e) {
            throw new UserException(target + ": cannot write (" + reason(e) + ")");
        }
    }

    /** Fails when {@code target} is one of {@code inputs}: checked before long runs, and again by {@link #write}. */
    static void requireNotInput(Path target, List<Path> inputs) {
        try {
            for (Path in : inputs) {
                if (in != null) {
                    AtomicFiles.refuseOverwrite(target, in);
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw new UserException(target + ": output would overwrite an input file");
        } catch (IOException e) {
            throw new UserException(target + ": cannot write (" + reason(e) + ")");
        }
    }

    /** The nearest existing path above {@code dir} when it is not a folder (a file where a folder must go), else null. */
    private static Path fileAbove(Path dir) {
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) ? null : p;
            }
        }
        return null;
    }

    /** Why an I/O operation failed, without the path the message names already ("No space left on device"). */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : ErrorHandler.oneLine(e.getMessage());
    }
}
