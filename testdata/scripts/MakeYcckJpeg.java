import java.io.File;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Made testdata/images/cmyk/ycck-adobe.jpg from cmyk-adobe.jpg (written by make_cmyk_jpeg.py): the
 * same inverted CMYK samples stored as Adobe YCCK (APP14 transform 2), the way libjpeg encodes it:
 * R = 255 - C', G = 255 - M', B = 255 - Y' (C', M', Y' the stored samples) to YCbCr by JFIF's
 * formulas, K' kept. Only the JDK is needed; run from the repository root:
 * {@code java testdata/scripts/MakeYcckJpeg.java testdata/images/cmyk/cmyk-adobe.jpg testdata/images/cmyk/ycck-adobe.jpg}
 */
public class MakeYcckJpeg {
    public static void main(String[] args) throws Exception {
        WritableRaster raster;
        IIOMetadata metadata;
        try (ImageInputStream in = ImageIO.createImageInputStream(new File(args[0]))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
            reader.setInput(in, true, false);
            Raster read = reader.readRaster(0, null); // the stored samples, no colour conversion
            raster = read.createCompatibleWritableRaster();
            raster.setRect(read);
            metadata = reader.getImageMetadata(0);
        }
        int[] p = new int[4];
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                raster.getPixel(x, y, p);
                double r = 255 - p[0];
                double g = 255 - p[1];
                double b = 255 - p[2];
                p[0] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
                p[1] = clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
                p[2] = clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
                raster.setPixel(x, y, p);
            }
        }
        String format = "javax_imageio_jpeg_image_1.0";
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
        ((IIOMetadataNode) root.getElementsByTagName("app14Adobe").item(0)).setAttribute("transform", "2");
        metadata.setFromTree(format, root);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(new File(args[1]))) {
            writer.setOutput(out);
            // a Raster is written as it is: the samples above are already YCCK
            writer.write(null, new IIOImage(raster, null, metadata), null);
        }
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
