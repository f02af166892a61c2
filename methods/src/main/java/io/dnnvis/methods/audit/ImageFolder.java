package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.BadRequestException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * The files of an audited folder, in the order of their relative paths ('/' separators, compared as
 * strings), and what could not be listed: symbolic-link loops and unreadable folders. Only the
 * folder itself, or with {@code recursive} every folder below it (links followed). Which files are
 * images is for decoding to say.
 *
 * @param root the folder
 * @param files the relative paths of its regular files, sorted
 * @param skipped what could not be listed, sorted
 */
public record ImageFolder(Path root, List<String> files, List<SkippedFile> skipped) {

    public ImageFolder {
        files = List.copyOf(files);
        skipped = List.copyOf(skipped);
    }

    /** Lists {@code root}; fails (a user error) only when {@code root} is not a readable folder. */
    public static ImageFolder scan(Path root, boolean recursive) {
        return scan(root, recursive, null);
    }

    /**
     * Lists {@code root} leaving out the folder {@code excluded} (an audit's output folder inside the
     * audited one: its pictures are not the dataset), when not null.
     */
    public static ImageFolder scan(Path root, boolean recursive, Path excluded) {
        Path skip = excluded == null ? null : real(excluded);
        if (!Files.isDirectory(root)) {
            throw new BadRequestException(root + (Files.exists(root) ? ": not a folder" : ": folder not found"));
        }
        if (!Files.isReadable(root)) {
            throw new BadRequestException(root + ": folder is not readable");
        }
        List<String> files = new ArrayList<>();
        List<SkippedFile> skipped = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), recursive ? Integer.MAX_VALUE : 1,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            return skip != null && skip.equals(real(dir)) ? FileVisitResult.SKIP_SUBTREE
                                    : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile()) {
                                files.add(relative(root, file));
                            } else if (!attrs.isDirectory()) {
                                skipped.add(new SkippedFile(relative(root, file), "not a regular file"));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            String why = e instanceof FileSystemLoopException ? "symbolic link loop"
                                    : e instanceof AccessDeniedException ? "unreadable folder (permission denied)"
                                    : Files.isSymbolicLink(file) && !Files.exists(file) ? "broken symbolic link"
                                    : "cannot be read (" + e.getClass().getSimpleName() + ")";
                            skipped.add(new SkippedFile(relative(root, file), why));
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                            if (e != null) {
                                skipped.add(new SkippedFile(relative(root, dir), "folder cannot be listed ("
                                        + e.getClass().getSimpleName() + ")"));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new BadRequestException(root + ": cannot list the folder (" + e.getMessage() + ")");
        }
        files.sort(Comparator.naturalOrder());
        skipped.sort(Comparator.comparing(SkippedFile::file));
        return new ImageFolder(root, files, skipped);
    }

    /** The file at {@code relativePath}. */
    public Path resolve(String relativePath) {
        return root.resolve(relativePath.replace('/', root.getFileSystem().getSeparator().charAt(0)));
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static String relative(Path root, Path file) {
        List<String> parts = new ArrayList<>();
        root.relativize(file).forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }
}
