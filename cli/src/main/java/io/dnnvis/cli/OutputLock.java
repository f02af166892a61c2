package io.dnnvis.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A claim on an output folder for one run at a time: an operating-system lock on {@code .lock} in
 * it, held while the run writes there and released by the system if the process dies. A second run
 * into the same folder is refused instead of mixing its files with the first's. On a file system
 * that has no locks the run goes on without one.
 */
final class OutputLock implements AutoCloseable {

    static final String NAME = ".lock";

    private final Path file;
    private final FileChannel channel;
    /** Null where the file system has no locks. */
    private final FileLock lock;
    /** Whether this run made the file (removed at the end) or found it (left). */
    private final boolean made;

    private OutputLock(Path file, FileChannel channel, FileLock lock, boolean made) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.made = made;
    }

    /**
     * Takes the folder {@code dir} (which must exist).
     *
     * @throws UserException when another run holds it, or the lock file cannot be made
     */
    static OutputLock take(Path dir) {
        Path file = dir.resolve(NAME);
        OutputPaths.requireRegularOrAbsent(file);
        boolean found = Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException unsupported) { // a file system without locks (some network mounts): go on unlocked
                return new OutputLock(file, channel, null, !found);
            }
            if (lock == null) {
                throw new UserException(dir + ": another run is writing into this folder; wait for it, "
                        + "or give another -o");
            }
            return new OutputLock(file, channel, lock, !found);
        } catch (OverlappingFileLockException e) {
            close(channel);
            throw new UserException(dir + ": another run is writing into this folder; give another -o");
        } catch (IOException e) {
            close(channel);
            throw new UserException(file + ": cannot lock the output folder (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the failure that brought us here matters more
            }
        }
    }

    /** Removes the lock file where this run made it (while still holding it), and releases the folder. */
    @Override
    public void close() {
        try {
            if (made) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a stale .lock is harmless: the next run takes it
        }
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException ignored) {
            // closing the channel releases it as well
        }
        close(channel);
    }
}
