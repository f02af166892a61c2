package io.dnnvis.methods.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.trace.BadInputException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Images are recognised by content: PNG and JPEG are read, GIF, BMP, TIFF and garbage refused before decoding. */
class ImageFormatTest {

    @TempDir
    Path dir;

    private static BufferedImage picture() {
        BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 2, 0xff8000);
        return img;
    }

    @ParameterizedTest
    @CsvSource({"gif, GIF", "bmp, BMP", "tiff, TIFF"})
    void otherFormatsImageIoWritesAreRefusedByName(String format, String named) throws Exception {
        // named .png on purpose: the content decides, not the name
        Path file = dir.resolve("picture-" + format + ".png");
        assertThat(ImageIO.write(picture(), format, file.toFile())).isTrue();
        assertThatThrownBy(() -> ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + ": is a " + named + " image; dnnvis reads PNG and JPEG");
    }

    @Test
    void randomBytesAreRefusedNotReadAsWbmp() throws Exception {
        byte[] garbage = new byte[4 + 8];
        new Random(7).nextBytes(garbage);
        // type 0, header 0, 8x8: ImageIO's WBMP reader takes any such 12 bytes for a picture
        garbage[0] = 0;
        garbage[1] = 0;
        garbage[2] = 8;
        garbage[3] = 8;
        Path file = Files.write(dir.resolve("noise.png"), garbage);
        assertThat(ImageIO.read(file.toFile())).as("ImageIO alone reads it").isNotNull();
        assertThatThrownBy(() -> ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + ": is not a PNG or JPEG image (its first bytes are neither signature);"
                        + " dnnvis reads PNG and JPEG");
    }

    @Test
    void anEmptyFileIsNamedSo() throws Exception {
        Path file = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        assertThatThrownBy(() -> ImageFormat.of(file)).hasMessage(file + ": is empty, not an image; dnnvis reads PNG and JPEG");
    }

    @Test
    void pngAndJpegAreRecognisedWhateverTheirName() throws Exception {
        Path png = dir.resolve("a.jpg");
        Path jpeg = dir.resolve("b.png");
        ImageIO.write(picture(), "png", png.toFile());
        ImageIO.write(picture(), "jpeg", jpeg.toFile());
        assertThat(ImageFormat.of(png)).isEqualTo(ImageFormat.PNG);
        assertThat(ImageFormat.of(jpeg)).isEqualTo(ImageFormat.JPEG);
        assertThat(ImageReading.read(png, ImageReading.DEFAULT_MAX_PIXELS).getRGB(3, 2) & 0xffffff).isEqualTo(0xff8000);
        assertThat(ImageReading.read(jpeg, ImageReading.DEFAULT_MAX_PIXELS).getWidth()).isEqualTo(8);
    }
}
