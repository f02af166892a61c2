package io.dnnvis.methods.occlusion;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much memory the machine has available now, for default memory caps. */
final class AvailableMemory {

    private AvailableMemory() {
    }

    /**
     * {@code MemAvailable} of {@code /proc/meminfo} (Linux: free memory plus what the page cache can
     * give back), else the free physical memory the JVM reports; 0 when neither is known.
     */
    static long bytes() {
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            try {
                for (String line : Files.readAllLines(meminfo)) {
                    if (line.startsWith("MemAvailable:")) {
                        return Long.parseLong(line.substring("MemAvailable:".length()).replace("kB", "").strip())
                                * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // fall back to the JVM's view
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getFreeMemorySize());
        }
        return 0;
    }
}
