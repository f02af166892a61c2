package io.dnnvis.methods.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PNG files {@link Images#png} writes decode, with ImageIO's reader, to the pixels they were
 * written from (alpha included where the image has it), for every image type the project draws and
 * odd sizes; each chunk's CRC is right.
 */
class PngEncoderTest {

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_4BYTE_ABGR})
    void decodesToThePixelsItWasWrittenFrom(int type) throws IOException {
        Random rnd = new Random(type);
        for (int[] size : new int[][] {{1, 1}, {7, 3}, {163, 163}, {300, 1}, {1, 257}}) {
            BufferedImage image = new BufferedImage(size[0], size[1], type);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    // smooth runs and noise: both the Sub filter's small and large differences
                    int v = rnd.nextInt(4) == 0 ? rnd.nextInt() : (x * 3 + y) * 0x010101 | 0x80000000;
                    image.setRGB(x, y, v);
                }
            }
            byte[] png = Images.png(image);
            checkCrcs(png);
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(back.getWidth()).isEqualTo(size[0]);
            assertThat(back.getHeight()).isEqualTo(size[1]);
            assertThat(back.getColorModel().hasAlpha()).isEqualTo(image.getColorModel().hasAlpha());
            int[] want = image.getRGB(0, 0, size[0], size[1], null, 0, size[0]);
            int[] got = back.getRGB(0, 0, size[0], size[1], null, 0, size[0]);
            assertThat(got).as("type %d, %d x %d", type, size[0], size[1]).isEqualTo(want);
        }
    }

    /** Every chunk's CRC-32 covers its type and data; the file ends with IEND. */
    private static void checkCrcs(byte[] png) {
        ByteBuffer b = ByteBuffer.wrap(png);
        b.position(8);
        String type = "";
        while (b.hasRemaining()) {
            int length = b.getInt();
            byte[] typeAndData = new byte[4 + length];
            b.get(typeAndData);
            type = new String(typeAndData, 0, 4, java.nio.charset.StandardCharsets.US_ASCII);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            assertThat(b.getInt()).as("CRC of %s", type).isEqualTo((int) crc.getValue());
        }
        assertThat(type).isEqualTo("IEND");
    }
}
