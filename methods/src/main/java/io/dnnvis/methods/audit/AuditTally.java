package io.dnnvis.methods.audit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an audit has gathered over a set of images: the top table of every watched layer, the
 * predictions, the files skipped and the count of images used. Tallies of disjoint sets of images
 * {@link #merge merge} (associatively, in any order) to the tally of their union, so a distributed
 * audit can gather per partition and reduce; {@link #result} assembles the same {@link AuditResult}
 * the single-machine audit gives. Serializable for that; not thread-safe.
 */
public final class AuditTally implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<UnitTops> tops;
    private final List<Prediction> predictions;
    private final List<SkippedFile> skipped;
    private int images;

    private AuditTally(List<UnitTops> tops, List<Prediction> predictions, List<SkippedFile> skipped, int images) {
        this.tops = tops;
        this.predictions = predictions;
        this.skipped = skipped;
        this.images = images;
    }

    /** Nothing yet, for {@code layers} with {@code k} images per unit. */
    public static AuditTally empty(List<AuditLayer> layers, int k) {
        List<UnitTops> tops = new ArrayList<>();
        layers.forEach(l -> tops.add(new UnitTops(l.units(), k)));
        return new AuditTally(tops, new ArrayList<>(), new ArrayList<>(), 0);
    }

    List<UnitTops> tops() {
        return tops;
    }

    List<Prediction> predictions() {
        return predictions;
    }

    void counted(int n) {
        images += n;
    }

    public int images() {
        return images;
    }

    /** Records a file that could not be used. */
    public void skip(SkippedFile file) {
        skipped.add(file);
    }

    /** The tally of this one's images and {@code other}'s (disjoint); neither is changed. */
    public AuditTally merge(AuditTally other) {
        if (other.tops.size() != tops.size()) {
            throw new IllegalArgumentException("cannot merge tallies of " + tops.size() + " and " + other.tops.size()
                    + " layers");
        }
        List<UnitTops> merged = new ArrayList<>();
        for (int l = 0; l < tops.size(); l++) {
            merged.add(tops.get(l).merge(other.tops.get(l)));
        }
        List<Prediction> p = new ArrayList<>(predictions);
        p.addAll(other.predictions);
        List<SkippedFile> s = new ArrayList<>(skipped);
        s.addAll(other.skipped);
        return new AuditTally(merged, p, s, images + other.images);
    }

    /**
     * The audit's result: the top rows with their receptive fields, the predictions in the order of
     * their paths, the skipped files (these and {@code listingSkips}, the folder's) sorted.
     */
    public AuditResult result(ReceptiveField field, List<AuditLayer> layers, List<SkippedFile> listingSkips) {
        return assemble(field, layers, tops, predictions, listingSkips, skipped, images);
    }

    static AuditResult assemble(ReceptiveField field, List<AuditLayer> layers, List<UnitTops> tops,
            List<Prediction> predictions, List<SkippedFile> listingSkips, List<SkippedFile> decodeSkips, int images) {
        Map<String, ReceptiveField.Box> boxes = new HashMap<>();
        List<TopImage> rows = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            String tensor = layers.get(l).tensor();
            UnitTops t = tops.get(l);
            for (int u = 0; u < t.units(); u++) {
                for (int r = 0; r < t.count(u); r++) {
                    int y = t.y(u, r);
                    int x = t.x(u, r);
                    ReceptiveField.Box box = boxes.computeIfAbsent(tensor + "\n" + y + "," + x,
                            k -> field.at(tensor, y, x));
                    rows.add(new TopImage(tensor, u, r + 1, t.image(u, r), y, x, t.activation(u, r), box));
                }
            }
        }
        List<Prediction> byPath = new ArrayList<>(predictions);
        byPath.sort(Comparator.comparing(Prediction::image));
        List<SkippedFile> skipped = new ArrayList<>(listingSkips);
        skipped.addAll(decodeSkips);
        skipped.sort(Comparator.comparing(SkippedFile::file));
        return new AuditResult(layers, rows, byPath, skipped, images);
    }
}
