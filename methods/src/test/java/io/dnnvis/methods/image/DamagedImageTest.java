package io.dnnvis.methods.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.BadInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Files cut short or damaged: ImageIO's JPEG reader decodes them without an exception and fills what
 * is missing with gray, so the warnings decide; the PNG reader throws, and the message says why.
 */
class DamagedImageTest {

    private static byte[] jpeg;
    private static byte[] png;

    @BeforeAll
    static void encode() throws IOException {
        BufferedImage photo = ImageIO.read(TestData.file("images/chelsea.png").toFile());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(ImageReading.toRgb(photo), "jpeg", out)).isTrue();
        jpeg = out.toByteArray();
        png = java.nio.file.Files.readAllBytes(TestData.file("images/chelsea.png"));
    }

    @Test
    void aJpegCutShortIsRefused() {
        byte[] half = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertThatThrownBy(() -> ImageReading.read(half, "cut.jpg", ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessage("cut.jpg: the image data is truncated or corrupt "
                        + "(Corrupt JPEG data: premature end of data segment)");
    }

    @Test
    void aJpegWithZerosInItsScanIsRefused() {
        byte[] damaged = jpeg.clone();
        Arrays.fill(damaged, damaged.length / 3, damaged.length / 3 + 400, (byte) 0);
        assertThatThrownBy(() -> ImageReading.read(damaged, "zeros.jpg", ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("zeros.jpg: the image data is truncated or corrupt");
    }

    @Test
    void aJpegMissingOnlyItsEndMarkerHasEveryPixel() {
        BufferedImage whole = ImageReading.read(jpeg, "whole.jpg", ImageReading.DEFAULT_MAX_PIXELS);
        BufferedImage noEnd = ImageReading.read(Arrays.copyOf(jpeg, jpeg.length - 2), "no-eoi.jpg",
                ImageReading.DEFAULT_MAX_PIXELS);
        int w = whole.getWidth();
        int h = whole.getHeight();
        assertThat(noEnd.getRGB(0, 0, w, h, null, 0, w)).isEqualTo(whole.getRGB(0, 0, w, h, null, 0, w));
    }

    @Test
    void aProgressiveJpegCutBetweenItsScansIsRefused() throws IOException {
        BufferedImage photo = ImageReading.toRgb(ImageIO.read(TestData.file("images/chelsea.png").toFile()));
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new javax.imageio.IIOImage(photo, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] progressive = out.toByteArray();
        assertThat(ImageReading.read(progressive, "whole.jpg", ImageReading.DEFAULT_MAX_PIXELS).getWidth())
                .isEqualTo(photo.getWidth());
        int third = nthScan(progressive, 3);
        assertThat(third).as("a progressive file has several scans").isPositive();
        byte[] twoScans = Arrays.copyOf(progressive, third);
        assertThatThrownBy(() -> ImageReading.read(twoScans, "scans.jpg", ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessage("scans.jpg: the image data is truncated or corrupt (Truncated File - Missing EOI marker)");
    }

    /** Where the {@code n}-th start-of-scan marker (FF DA) begins; -1 when there are fewer. */
    private static int nthScan(byte[] jpeg, int n) {
        int seen = 0;
        for (int k = 0; k + 1 < jpeg.length; k++) {
            if ((jpeg[k] & 0xFF) == 0xFF && (jpeg[k + 1] & 0xFF) == 0xDA && ++seen == n) {
                return k;
            }
        }
        return -1;
    }

    @Test
    void aPngCutShortSaysWhyItCannotBeDecoded() {
        byte[] half = Arrays.copyOf(png, png.length / 2);
        assertThatThrownBy(() -> ImageReading.read(half, "cut.png", ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("cut.png: cannot decode the image (Error reading PNG image data")
                .hasMessageContaining("Unexpected end of ZLIB input stream")
                .hasMessageEndingWith("the file is truncated or corrupt, or a kind of PNG this Java runtime cannot read");
    }

    @Test
    void onlyMissingDataCounts() {
        assertThat(ImageReading.isMissingData("Corrupt JPEG data: premature end of data segment")).isTrue();
        assertThat(ImageReading.isMissingData("Truncated File - Missing EOI marker")).isFalse();
        assertThat(ImageReading.isMissingData("Corrupt JPEG data: 12 extraneous bytes before marker 0xd9")).isFalse();
        assertThat(ImageReading.isMissingData(null)).isFalse();
    }
}
