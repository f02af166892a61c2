package io.dnnvis.methods.audit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The running top K of every unit of one layer: K entries per unit (activation, image, position),
 * the strongest first; ties go to the image whose path sorts first. Memory: K entries per unit,
 * whatever the number of images. The order (larger first, then the path that sorts first) is total
 * over distinct paths, so the top K of a set of images does not depend on the order they are offered
 * in, and tables of disjoint sets of images {@link #merge merge} to the table of their union. Not
 * thread-safe.
 */
final class UnitTops implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int units;
    private final int k;
    private final float[] activation;
    private final String[] image;
    private final int[] y;
    private final int[] x;
    private final int[] count;

    UnitTops(int units, int k) {
        this.units = units;
        this.k = k;
        this.activation = new float[units * k];
        this.image = new String[units * k];
        this.y = new int[units * k];
        this.x = new int[units * k];
        this.count = new int[units];
    }

    int units() {
        return units;
    }

    int count(int unit) {
        return count[unit];
    }

    float activation(int unit, int rank) {
        return activation[unit * k + rank];
    }

    String image(int unit, int rank) {
        return image[unit * k + rank];
    }

    int y(int unit, int rank) {
        return y[unit * k + rank];
    }

    int x(int unit, int rank) {
        return x[unit * k + rank];
    }

    /** Offers an image's response of {@code unit}; kept when it is among the K strongest so far. */
    void offer(int unit, float value, String name, int py, int px) {
        if (Float.isNaN(value)) {
            return;
        }
        int base = unit * k;
        int n = count[unit];
        if (n == k && !before(value, name, activation[base + k - 1], image[base + k - 1])) {
            return;
        }
        int at = Math.min(n, k - 1);
        while (at > 0 && before(value, name, activation[base + at - 1], image[base + at - 1])) {
            activation[base + at] = activation[base + at - 1];
            image[base + at] = image[base + at - 1];
            y[base + at] = y[base + at - 1];
            x[base + at] = x[base + at - 1];
            at--;
        }
        activation[base + at] = value;
        image[base + at] = name;
        y[base + at] = py;
        x[base + at] = px;
        count[unit] = Math.min(n + 1, k);
    }

    /**
     * The table of the images of this one and {@code other} (disjoint sets of images, the same units
     * and K): what one pass over all of them keeps. Associative and commutative; neither is changed.
     */
    UnitTops merge(UnitTops other) {
        if (other.units != units || other.k != k) {
            throw new IllegalArgumentException("cannot merge top tables of " + units + " units x " + k + " and "
                    + other.units + " units x " + other.k);
        }
        UnitTops out = new UnitTops(units, k);
        for (UnitTops t : new UnitTops[] {this, other}) {
            for (int u = 0; u < units; u++) {
                for (int r = 0; r < t.count[u]; r++) {
                    int i = u * k + r;
                    out.offer(u, t.activation[i], t.image[i], t.y[i], t.x[i]);
                }
            }
        }
        return out;
    }

    /** Whether (a, nameA) ranks before (b, nameB): larger first, then the path that sorts first. */
    static boolean before(float a, String nameA, float b, String nameB) {
        return a > b || (a == b && nameA.compareTo(nameB) < 0);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(units);
        out.writeInt(k);
        for (int u = 0; u < units; u++) {
            out.writeInt(count[u]);
            for (int r = 0; r < count[u]; r++) {
                int i = u * k + r;
                out.writeInt(Float.floatToRawIntBits(activation[i]));
                out.writeUTF(image[i]);
                out.writeInt(y[i]);
                out.writeInt(x[i]);
            }
        }
    }

    static UnitTops read(DataInputStream in) throws IOException {
        int units = in.readInt();
        int k = in.readInt();
        if (units < 0 || k < 1 || (long) units * k > Audit.MAX_TOP_ENTRIES) {
            throw new IOException("damaged: a table of " + units + " units x " + k);
        }
        UnitTops t = new UnitTops(units, k);
        for (int u = 0; u < t.units; u++) {
            t.count[u] = in.readInt();
            if (t.count[u] < 0 || t.count[u] > k) {
                throw new IOException("damaged: " + t.count[u] + " entries of unit " + u + ", at most " + k);
            }
            for (int r = 0; r < t.count[u]; r++) {
                int i = u * t.k + r;
                t.activation[i] = Float.intBitsToFloat(in.readInt());
                t.image[i] = in.readUTF();
                t.y[i] = in.readInt();
                t.x[i] = in.readInt();
            }
        }
        return t;
    }

    @Override
    public String toString() {
        return "UnitTops" + Arrays.toString(count);
    }
}
