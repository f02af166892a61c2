import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Made testdata/inputs/glyph-*.npy from testdata/images/glyphs/*.png: RGB, NCHW, values in [0, 1]
 * (GlyphNet's input description in its metadata). Run from the repository root after a build:
 * {@code java -cp cli/target/dnnvis.jar testdata/scripts/PngToNpy.java IN.png OUT.npy}
 */
public class PngToNpy {
    public static void main(String[] args) throws Exception {
        BufferedImage img = ImageIO.read(Path.of(args[0]).toFile());
        int h = img.getHeight();
        int w = img.getWidth();
        float[] chw = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                chw[y * w + x] = ((rgb >> 16) & 0xff) / 255f;
                chw[h * w + y * w + x] = ((rgb >> 8) & 0xff) / 255f;
                chw[2 * h * w + y * w + x] = (rgb & 0xff) / 255f;
            }
        }
        Npy.write(Path.of(args[1]), new TensorValue("image", new long[] {1, 3, h, w}, chw));
    }
}
