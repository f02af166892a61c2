package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The decoders hand images out in the sources' order whatever their number and speed, and keep their schedule. */
class ImageDecoderTest {

    /** Decodes source {@code i} into one value {@code i}, every seventh as skipped, after a random short pause. */
    private static Function<Integer, AuditImage> slowDecode(long seed) {
        Random rnd = new Random(seed);
        return i -> {
            int pause;
            synchronized (rnd) {
                pause = rnd.nextInt(3);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return i % 7 == 3 ? new AuditImage("f" + i, null, new SkippedFile("f" + i, "not an image"))
                    : new AuditImage("f" + i, new float[] {i}, null);
        };
    }

    @Test
    void severalThreadsHandTheImagesOutInOrder() {
        for (ImageDecoder.Schedule schedule : List.of(ImageDecoder.Schedule.BESIDE, new ImageDecoder.Schedule(4, false),
                new ImageDecoder.Schedule(3, true))) {
            Iterator<Integer> sources = IntStream.range(0, 150).boxed().iterator();
            List<ImageDecoder.Item> items = new ArrayList<>();
            try (ImageDecoder decoder = ImageDecoder.start(sources, 10, slowDecode(5), 4, schedule)) {
                for (ImageDecoder.Item item = decoder.next(); item != null; item = decoder.next()) {
                    items.add(item);
                    if (items.size() % 4 == 0) {
                        decoder.whileModelRuns(() -> { });
                    }
                }
                assertThat(decoder.next()).isNull();
            }
            assertThat(items).hasSize(150);
            for (int k = 0; k < items.size(); k++) {
                ImageDecoder.Item item = items.get(k);
                assertThat(item.index()).as(schedule.toString()).isEqualTo(10 + k);
                assertThat(item.file()).isEqualTo("f" + k);
                if (k % 7 == 3) {
                    assertThat(item.skipped().reason()).isEqualTo("not an image");
                } else {
                    assertThat(item.data()).containsExactly(k);
                }
            }
        }
    }

    @Test
    void aPausingScheduleStartsNoImageWhileTheModelRuns() throws Exception {
        AtomicBoolean modelRunning = new AtomicBoolean();
        AtomicInteger startedDuringRun = new AtomicInteger();
        AtomicInteger decoded = new AtomicInteger();
        Function<Integer, AuditImage> decode = i -> {
            if (modelRunning.get()) {
                startedDuringRun.incrementAndGet();
            }
            decoded.incrementAndGet();
            return new AuditImage("f" + i, new float[] {i}, null);
        };
        try (ImageDecoder decoder = ImageDecoder.start(IntStream.range(0, 40).boxed().iterator(), 0, decode, 4,
                new ImageDecoder.Schedule(2, true))) {
            int handed = 0;
            while (decoder.next() != null) {
                if (++handed % 4 == 0) {
                    decoder.whileModelRuns(() -> {
                        sleep(50); // an image claimed just before the run began finishes
                        modelRunning.set(true);
                        int before = decoded.get();
                        sleep(30);
                        modelRunning.set(false);
                        assertThat(decoded.get()).isEqualTo(before);
                    });
                }
            }
            assertThat(handed).isEqualTo(40);
        }
        assertThat(startedDuringRun.get()).isZero();
    }

    @Test
    void decodingRunsAtMostTwoBatchesAhead() {
        AtomicInteger decoded = new AtomicInteger();
        Function<Integer, AuditImage> decode = i -> {
            decoded.incrementAndGet();
            return new AuditImage("f" + i, new float[] {i}, null);
        };
        try (ImageDecoder decoder = ImageDecoder.start(IntStream.range(0, 1000).boxed().iterator(), 0, decode, 5,
                new ImageDecoder.Schedule(3, false))) {
            assertThat(decoder.next().index()).isZero();
            sleep(200);
            assertThat(decoded.get()).isBetween(10, 11); // the one handed out and two batches of 5 waiting
        }
    }

    @Test
    void aFailedReadIsThrownAtItsPositionAfterTheImagesBeforeIt() {
        Iterator<Integer> failing = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (next == 23) {
                    throw new IllegalStateException("cannot read file 23");
                }
                return next++;
            }
        };
        try (ImageDecoder decoder = ImageDecoder.start(failing, 0, slowDecode(9), 4, new ImageDecoder.Schedule(3, false))) {
            for (int k = 0; k < 23; k++) {
                assertThat(decoder.next().index()).isEqualTo(k);
            }
            assertThatThrownBy(decoder::next).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot read file 23");
        }
    }

    @Test
    void theScheduleUsesFreeCoresBesideTheModelElseAllCoresBetweenItsRuns() {
        assertThat(ImageDecoder.Schedule.forCores(16, 12)).isEqualTo(new ImageDecoder.Schedule(4, false));
        assertThat(ImageDecoder.Schedule.forCores(2, 2)).isEqualTo(new ImageDecoder.Schedule(2, true));
        assertThat(ImageDecoder.Schedule.forCores(2, 4)).isEqualTo(new ImageDecoder.Schedule(2, true));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
