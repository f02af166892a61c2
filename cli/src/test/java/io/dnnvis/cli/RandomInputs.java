package io.dnnvis.cli;

import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** Seeded random inputs written as .npy files for the commands' {@code --input-npy}. */
final class RandomInputs {

    private RandomInputs() {
    }

    /** {@code file}, holding float32 values uniform in [0, 1) from {@code random}, of {@code shape}; returns it. */
    static Path uniform(Path file, Random random, long... shape) {
        float[] data = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat();
        }
        try {
            Npy.write(file, new TensorValue("x", shape, data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
