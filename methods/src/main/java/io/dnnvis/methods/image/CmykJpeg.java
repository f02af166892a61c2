package io.dnnvis.methods.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * Four-component JPEGs (CMYK, or YCCK) as 8-bit RGB, from the samples as stored (ImageIO's raster,
 * no colour conversion), so that every JDK gives the same pixels.
 *
 * <ul>
 *   <li>YCCK (Adobe transform 2) first becomes CMYK the way libjpeg does it: the Y, Cb, Cr samples
 *       give R, G, B by JFIF's formulas and C = 255 - R, M = 255 - G, Y = 255 - B; K is kept.
 *   <li>With an Adobe APP14 segment the CMYK samples are inverted (255 - C ...), as Photoshop writes
 *       them; without one they are taken as they are.
 *   <li>CMYK to RGB by the plain formula R = (255 - C)(255 - K) / 255, G from M, B from Y, rounded.
 *       An embedded ICC profile is ignored: colours may differ a little from a colour-managed
 *       viewer's, which matters little for a network's input.
 * </ul>
 */
final class CmykJpeg {

    private CmykJpeg() {
    }

    /** The RGB image of a 4-band raster of stored samples, read from a JPEG with {@code header}. */
    static BufferedImage toRgb(Raster raster, JpegHeader header) {
        if (raster.getNumBands() != 4) {
            throw new IllegalArgumentException("expected 4 bands, got " + raster.getNumBands());
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        boolean ycck = header.adobeTransform() == JpegHeader.YCCK;
        boolean inverted = header.adobe();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[4 * w];
        int[] out = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int i = 4 * x;
                int c = row[i];
                int m = row[i + 1];
                int ye = row[i + 2];
                int k = row[i + 3];
                if (ycck) {
                    double luma = c;
                    double cb = m - 128.0;
                    double cr = ye - 128.0;
                    c = 255 - clamp(luma + 1.402 * cr);
                    m = 255 - clamp(luma - 0.344136 * cb - 0.714136 * cr);
                    ye = 255 - clamp(luma + 1.772 * cb);
                }
                if (inverted) {
                    c = 255 - c;
                    m = 255 - m;
                    ye = 255 - ye;
                    k = 255 - k;
                }
                out[x] = channel(c, k) << 16 | channel(m, k) << 8 | channel(ye, k);
            }
            rgb.setRGB(0, y, w, 1, out, 0, w);
        }
        return rgb;
    }

    /** One RGB channel from its ink and black: (255 - ink)(255 - K) / 255, rounded. */
    static int channel(int ink, int k) {
        return ((255 - ink) * (255 - k) + 127) / 255;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
