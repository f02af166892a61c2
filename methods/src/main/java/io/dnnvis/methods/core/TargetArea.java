package io.dnnvis.methods.core;

import java.util.Arrays;

/**
 * Where a class target of a segmentation output {@code [N, K, H, W]} is summed: a rectangle of the
 * output map, or the nonzero pixels of a mask (resized nearest to the map's size).
 */
public sealed interface TargetArea permits TargetArea.Region, TargetArea.Mask {

    /** Whether output-map pixel (y, x) of a map {@code height x width} is inside. */
    boolean contains(int y, int x, int height, int width);

    /** Checks that the area fits a map {@code height x width}. */
    void check(int height, int width);

    /** Rows {@code [y0, y1)} and columns {@code [x0, x1)} of the output map (half-open). */
    record Region(int y0, int x0, int y1, int x1) implements TargetArea {
        public Region {
            if (y0 < 0 || x0 < 0 || y1 <= y0 || x1 <= x0) {
                throw new BadRequestException("region " + y0 + "," + x0 + "," + y1 + "," + x1
                        + " is empty or negative (y0,x0,y1,x1 with y0 < y1, x0 < x1, half-open)");
            }
        }

        /** Parses {@code y0,x0,y1,x1}. */
        public static Region parse(String text) {
            String[] parts = text.split(",", -1);
            if (parts.length == 4) {
                try {
                    return new Region(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()),
                            Integer.parseInt(parts[2].strip()), Integer.parseInt(parts[3].strip()));
                } catch (NumberFormatException e) {
                    // falls through to the message below
                }
            }
            throw new BadRequestException("region '" + text + "' is not y0,x0,y1,x1");
        }

        @Override
        public boolean contains(int y, int x, int height, int width) {
            return y >= y0 && y < y1 && x >= x0 && x < x1;
        }

        @Override
        public void check(int height, int width) {
            if (y1 > height || x1 > width) {
                throw new BadRequestException("region " + this + " is outside the output map (" + height + " rows, "
                        + width + " columns)");
            }
        }

        @Override
        public String toString() {
            return y0 + "," + x0 + "," + y1 + "," + x1;
        }
    }

    /**
     * The pixels of a mask picture {@code height x width} that are on; resized nearest to the map.
     *
     * @param name where the mask came from (a file name), for messages
     */
    record Mask(String name, int height, int width, boolean[] on) implements TargetArea {
        public Mask {
            if (height <= 0 || width <= 0 || on.length != height * width) {
                throw new IllegalArgumentException("a mask " + height + "x" + width + " with " + on.length + " pixels");
            }
            on = on.clone();
        }

        @Override
        public boolean[] on() {
            return on.clone();
        }

        @Override
        public boolean contains(int y, int x, int mapHeight, int mapWidth) {
            int sy = (int) ((long) y * height / mapHeight);
            int sx = (int) ((long) x * width / mapWidth);
            return on[sy * width + sx];
        }

        @Override
        public void check(int mapHeight, int mapWidth) {
            for (int y = 0; y < mapHeight; y++) {
                for (int x = 0; x < mapWidth; x++) {
                    if (contains(y, x, mapHeight, mapWidth)) {
                        return;
                    }
                }
            }
            throw new BadRequestException(name + ": the mask has no nonzero pixel (at the output map's size "
                    + mapHeight + "x" + mapWidth + ")");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Mask m && name.equals(m.name) && height == m.height && width == m.width
                    && Arrays.equals(on, m.on);
        }

        @Override
        public int hashCode() {
            return (name.hashCode() * 31 + height) * 31 + width + Arrays.hashCode(on);
        }

        @Override
        public String toString() {
            return "mask " + name;
        }
    }
}
