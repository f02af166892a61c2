import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A synthetic folder for audit benchmarks: {@code COUNT} images of {@code SIZE}x{@code SIZE} pixels
 * (random ellipses and bars on a random background, seeded by the image's number, so every run makes
 * the same files), in subfolders of 1,000 ({@code c00/}, {@code c01/}, ...: classes for
 * {@code --labels-from folder}), JPEG by default or PNG. Run from the repository root:
 * {@code java testdata/scripts/MakeAuditImages.java DIR COUNT [SIZE] [jpg|png]}
 */
public class MakeAuditImages {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        String format = args.length > 3 ? args[3] : "jpg";
        for (int i = 0; i < count; i++) {
            Path folder = Files.createDirectories(dir.resolve(String.format("c%02d", i / 1000)));
            Path file = folder.resolve(String.format("img%06d.%s", i, format));
            if (Files.exists(file)) {
                continue;
            }
            ImageIO.write(picture(new Random(i), size), format, file.toFile());
        }
    }

    private static BufferedImage picture(Random rnd, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(rnd.nextInt(0x1000000)));
        g.fillRect(0, 0, size, size);
        for (int k = 0; k < 12; k++) {
            g.setColor(new Color(rnd.nextInt(0x1000000)));
            int w = 8 + rnd.nextInt(size / 2);
            int h = 8 + rnd.nextInt(size / 2);
            if (rnd.nextBoolean()) {
                g.fillOval(rnd.nextInt(size), rnd.nextInt(size), w, h);
            } else {
                g.fillRect(rnd.nextInt(size), rnd.nextInt(size), w, h / 4 + 2);
            }
        }
        g.dispose();
        return img;
    }
}
