package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code occlusion --max-tensor-bytes} cuts the batches of occluded images (ResNet-mini to conv4:
 * conv1's [1, 16, 64, 64] is 262144 bytes per image, so a limit of 600000 bytes runs 2 per run), gives
 * the same result as without the limit, and refuses with one line a limit below one image's tensor.
 */
class OcclusionTensorLimitCommandTest {

    private static final String MODEL = TestData.referenceModel("resnet-mini").toString();
    private static final String INPUT = TestData.referenceInput("resnet-mini").toString();

    @TempDir
    Path dir;

    @Test
    void aSmallLimitRunsSmallerBatchesWithTheSameResult() {
        Path free = dir.resolve("free.npy");
        CliRun uncapped = run("--save-npy", free.toString());
        assertThat(uncapped.code()).as(uncapped.err()).isZero();
        assertThat(uncapped.out()).contains("64 windows (8x8) of 9x9, stride 8, fill mean, batch 16 in ");

        Path capped = dir.resolve("capped.npy");
        CliRun small = run("--max-tensor-bytes", "600000", "--save-npy", capped.toString());
        assertThat(small.code()).as(small.err()).isZero();
        assertThat(small.err()).isEmpty();
        assertThat(small.out()).contains("64 windows (8x8) of 9x9, stride 8, fill mean, batch 2 in ");
        assertThat(Npy.read(capped, "c").data()).containsExactly(Npy.read(free, "f").data());

        Path asked = dir.resolve("asked.npy");
        CliRun batch = run("--max-tensor-bytes", "600000", "--batch", "8", "--save-npy", asked.toString());
        assertThat(batch.code()).as(batch.err()).isZero();
        assertThat(batch.err()).isEqualTo("note: --batch 8 would make a tensor larger than --max-tensor-bytes 600000"
                + " (the largest is 256 KiB per occluded image); running 2 images per run" + System.lineSeparator());
        assertThat(batch.out()).contains("batch 2 in ");
        assertThat(Npy.read(asked, "a").data()).containsExactly(Npy.read(free, "f").data());
    }

    @Test
    void aLimitBelowOneImagesTensorIsOneLineAndWritesNothing() {
        Path fresh = dir.resolve("fresh.npy");
        CliRun refused = run("--max-tensor-bytes", "262143", "--save-npy", fresh.toString(), "-o",
                dir.resolve("png").toString());
        assertThat(refused.code()).as(refused.err()).isEqualTo(2);
        assertThat(refused.oneErrorLine()).as(refused.err()).isTrue();
        assertThat(refused.err()).startsWith("error: " + MODEL + ": tensor '")
                .contains("of shape [1, 16, 64, 64] needs 262144 bytes, more than the limit of 262143 bytes");
        assertThat(refused.out()).isEmpty();
        assertThat(fresh).doesNotExist();
        assertThat(dir.resolve("png")).doesNotExist();
    }

    private static CliRun run(String... options) {
        String[] args = new String[12 + options.length];
        String[] common = {"occlusion", MODEL, "--input-npy", INPUT, "--layer", "conv4", "--window", "9", "--stride",
            "8", "--quiet", "--threads=1"};
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(options, 0, args, common.length, options.length);
        return CliRun.of(args);
    }
}
