package io.dnnvis.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks commands run before any work, in one order: first the options alone (something to
 * write, option combinations, values, every output file and folder, created or not), then what
 * needs the model (layer, neurons, target, the input's size), then the computation. Refusals are
 * {@link UserException}s (exit 2, one line); notes go to stderr in one line each. Nothing here
 * creates a file or folder: the {@code -o} folder is made when the first picture is written.
 */
final class Preflight {

    private Preflight() {
    }

    /** Fails unless the command has an output: {@code --save-npy FILE} and/or {@code -o DIR}. */
    static void requireSomethingToWrite(Path npy, Path dir) {
        if (npy == null && dir == null) {
            throw new UserException("nothing to write: give --save-npy FILE and/or -o DIR");
        }
    }

    /**
     * Checks every output before the run, creating nothing: each .npy file could be written (see
     * {@link OutputPaths#requireParentFolder}), the {@code -o} folder could be made or used, and no
     * file whose name dnnvis derived ({@code derived}: e.g. {@code FILE-salinet.npy} of
     * {@code --method all}, names the user never typed) exists unless {@code force}.
     */
    static void requireWritable(List<Path> npyFiles, boolean derived, boolean force, Path dir) {
        for (Path file : npyFiles) {
            if (dir != null && file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")
                    && file.toAbsolutePath().normalize().getParent().equals(dir.toAbsolutePath().normalize())) {
                throw new UserException(file + ": a --save-npy file with a .png name in the -o folder, where the "
                        + "pictures go, could be overwritten by one; give it another name");
            }
            OutputPaths.requireParentFolder(file);
            if (derived && !force && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new UserException(file + ": exists (a name derived from --save-npy, one file per method);"
                        + " give --force to overwrite it");
            }
        }
        if (dir != null) {
            OutputPaths.checkFolder(dir);
        }
    }

    /**
     * {@code channels} without repeats, in their first order; when some were repeated, says so in one
     * line on {@code err} (a channel given twice is computed and written once).
     */
    static int[] distinct(int[] channels, String option, PrintWriter err) {
        Set<Integer> seen = new LinkedHashSet<>();
        Set<Integer> repeated = new LinkedHashSet<>();
        for (int c : channels) {
            if (!seen.add(c)) {
                repeated.add(c);
            }
        }
        if (repeated.isEmpty()) {
            return channels;
        }
        err.printf("note: %s %s: %s given more than once; computed and written once%n", option,
                Arrays.stream(channels).mapToObj(String::valueOf).collect(Collectors.joining(",")),
                repeated.size() == 1 ? "channel " + repeated.iterator().next()
                        : "channels " + repeated.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        err.flush();
        return seen.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * {@code top:K} on a layer of fewer than K channels takes them all; says so in one line on
     * {@code err}. Returns how many channels are taken.
     */
    static int clampTop(int k, long channels, String layer, PrintWriter err) {
        if (k <= channels) {
            return k;
        }
        err.printf("note: --neuron top:%d: layer %s has %d channels; visualizing all %d%n", k, layer, channels,
                channels);
        err.flush();
        return (int) channels;
    }

    /**
     * Fails when an occlusion window of {@code window} pixels is larger than a side of the input
     * ({@code height x width} pixels): the window must fit in the input it slides over.
     */
    static void requireWindowFits(int window, long height, long width) {
        if (window > height || window > width) {
            long side = Math.min(height, width);
            long largest = side % 2 == 1 ? side : side - 1;
            throw new UserException("--window " + window + " is larger than the input (" + height + "x" + width
                    + " pixels); give an odd size of at most " + largest);
        }
    }
}
