package io.dnnvis.methods.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * One number for the files an audit has read, in order: each file's path, size and modification
 * time folded together. A checkpoint keeps it, and a resumed run refuses a folder whose files read so
 * far changed since (replaced, rewritten, grown), as it refuses added or removed files: their
 * responses in the saved tables would no longer be theirs.
 */
final class FileStamps {

    /** The stamps of no file. */
    static final long EMPTY = 0x9E3779B97F4A7C15L;

    private FileStamps() {
    }

    /** {@code stamps} with the file {@code name} of {@code folder} folded in after the others. */
    static long add(long stamps, ImageFolder folder, String name) {
        long size = -1;
        long modified = -1;
        try {
            BasicFileAttributes a = Files.readAttributes(folder.resolve(name), BasicFileAttributes.class);
            size = a.size();
            modified = a.lastModifiedTime().toMillis();
        } catch (IOException | RuntimeException e) {
            // gone or unreadable now: stamped as such, so that it is compared as such on resume
        }
        long h = stamps;
        h = mix(h ^ name.hashCode());
        h = mix(h ^ size);
        return mix(h ^ modified);
    }

    /** The stamps of {@code folder}'s first {@code count} files. */
    static long of(ImageFolder folder, int count) {
        List<String> files = folder.files();
        long h = EMPTY;
        for (int i = 0; i < count; i++) {
            h = add(h, folder, files.get(i));
        }
        return h;
    }

    /** A 64-bit finaliser (SplitMix64's): every input bit moves about half of the output bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
