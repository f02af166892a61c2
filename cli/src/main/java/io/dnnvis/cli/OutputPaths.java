package io.dnnvis.cli;

import io.dnnvis.trace.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** Checks and writes the files a command produces: atomically, never over an input, never through a link. */
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

    /** Creates (if needed) and checks an output folder. */
    static Path folder(Path dir) {
        try {
            if (Files.isSymbolicLink(dir)) {
                throw new UserException(dir + ": output folder is a symbolic link; refusing to follow it");
            }
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new UserException(dir + ": exists and is not a folder");
            }
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new UserException(dir + ": output folder is not writable");
            }
            return dir;
        } catch (IOException e) {
            throw new UserException(dir + ": cannot create the output folder (" + e.getMessage() + ")");
        }
    }

    /** Fails unless the folder {@code file} would be written into exists (checked before long runs). */
    static void requireParentFolder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserException(file + ": folder " + parent + " does not exist");
        }
    }

    /** Writes {@code bytes} to {@code target} atomically after checking it is none of {@code inputs}. */
    static void write(Path target, byte[] bytes, List<Path> inputs) {
        try {
            for (Path in : inputs) {
                if (in != null) {
                    AtomicFiles.refuseOverwrite(target, in);
                }
            }
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new UserException(target + ": folder " + parent + " does not exist");
            }
            AtomicFiles.write(target, bytes);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new UserException(target + ": output would overwrite an input file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UserException(target + ": permission denied");
        } catch (IOException e) {
            throw new UserException(target + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
