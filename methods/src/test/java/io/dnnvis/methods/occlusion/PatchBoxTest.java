package io.dnnvis.methods.occlusion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link PatchBox#copyOverlap} against an element by element copy, on random boxes that overlap in every way. */
class PatchBoxTest {

    @Test
    void copyOverlapCopiesEveryValueOfTheOverlapAndNothingElse() {
        Random rnd = new Random(4);
        for (int trial = 0; trial < 2000; trial++) {
            PatchBox from = random(rnd);
            PatchBox to = rnd.nextInt(4) == 0 ? from : random(rnd);
            float[] src = new float[from.count() + 3];
            for (int k = 0; k < src.length; k++) {
                src[k] = rnd.nextFloat();
            }
            int srcOffset = rnd.nextInt(4);
            int dstOffset = rnd.nextInt(4);
            float[] expected = new float[to.count() + 4];
            java.util.Arrays.fill(expected, -1f);
            float[] actual = expected.clone();
            PatchBox.copyOverlap(java.util.Arrays.copyOf(src, from.count() + srcOffset), from, srcOffset, actual, to,
                    dstOffset);
            naive(java.util.Arrays.copyOf(src, from.count() + srcOffset), from, srcOffset, expected, to, dstOffset);
            assertThat(actual).as("%s into %s", from, to).containsExactly(expected);
        }
    }

    /** A box of batch 1 with up to 3 channels, rows and columns, starting anywhere in [-2, 2]. */
    private static PatchBox random(Random rnd) {
        int[] start = {0, rnd.nextInt(2), rnd.nextInt(5) - 2, rnd.nextInt(5) - 2};
        int[] size = {1, 1 + rnd.nextInt(3), 1 + rnd.nextInt(4), 1 + rnd.nextInt(4)};
        return new PatchBox(start, size);
    }

    private static void naive(float[] src, PatchBox from, int srcOffset, float[] dst, PatchBox to, int dstOffset) {
        for (int c = 0; c < to.size()[1]; c++) {
            for (int y = 0; y < to.size()[2]; y++) {
                for (int x = 0; x < to.size()[3]; x++) {
                    int fc = to.start()[1] + c - from.start()[1];
                    int fy = to.start()[2] + y - from.start()[2];
                    int fx = to.start()[3] + x - from.start()[3];
                    if (fc < 0 || fy < 0 || fx < 0 || fc >= from.size()[1] || fy >= from.size()[2]
                            || fx >= from.size()[3]) {
                        continue;
                    }
                    dst[dstOffset + (c * to.size()[2] + y) * to.size()[3] + x] =
                            src[srcOffset + (fc * from.size()[2] + fy) * from.size()[3] + fx];
                }
            }
        }
    }
}
