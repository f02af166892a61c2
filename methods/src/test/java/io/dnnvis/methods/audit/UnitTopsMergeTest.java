package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Top tables of disjoint sets of images merge to what one pass over all of them keeps, however split. */
class UnitTopsMergeTest {

    private record Offer(int unit, float value, String name, int y, int x) {
    }

    /** Many ties (values from a small set) so the path order decides often. */
    private static List<Offer> offers(Random random, int images, int units) {
        List<Offer> out = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            String name = "img" + random.nextInt(1_000_000) + "-" + i + ".png";
            for (int u = 0; u < units; u++) {
                float v = random.nextInt(10) == 0 ? Float.NaN : random.nextInt(6) / 2f - 1f;
                out.add(new Offer(u, v, name, random.nextInt(5), random.nextInt(5)));
            }
        }
        return out;
    }

    private static UnitTops pass(List<Offer> offers, int units, int k) {
        UnitTops t = new UnitTops(units, k);
        offers.forEach(o -> t.offer(o.unit(), o.value(), o.name(), o.y(), o.x()));
        return t;
    }

    private static void assertSame(UnitTops actual, UnitTops expected) {
        assertThat(actual.units()).isEqualTo(expected.units());
        for (int u = 0; u < expected.units(); u++) {
            assertThat(actual.count(u)).as("unit %d", u).isEqualTo(expected.count(u));
            for (int r = 0; r < expected.count(u); r++) {
                assertThat(actual.image(u, r)).isEqualTo(expected.image(u, r));
                assertThat(Float.floatToRawIntBits(actual.activation(u, r)))
                        .isEqualTo(Float.floatToRawIntBits(expected.activation(u, r)));
                assertThat(actual.y(u, r)).isEqualTo(expected.y(u, r));
                assertThat(actual.x(u, r)).isEqualTo(expected.x(u, r));
            }
        }
    }

    @Test
    void mergingTheTwoHalvesOfAnySplitGivesTheOnePassTable() {
        Random random = new Random(21);
        for (int trial = 0; trial < 200; trial++) {
            int units = 1 + random.nextInt(4);
            int k = 1 + random.nextInt(5);
            List<Offer> all = offers(random, random.nextInt(30), units);
            UnitTops one = pass(all, units, k);
            int cut = all.isEmpty() ? 0 : random.nextInt(all.size() / units + 1) * units;
            UnitTops left = pass(all.subList(0, cut), units, k);
            UnitTops right = pass(all.subList(cut, all.size()), units, k);
            assertSame(left.merge(right), one);
            assertSame(right.merge(left), one);
        }
    }

    @Test
    void mergingManyPartsInAnyGroupingAndOrderGivesTheOnePassTable() {
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int units = 3;
            int k = 1 + random.nextInt(4);
            List<Offer> all = offers(random, 40, units);
            UnitTops one = pass(all, units, k);
            List<UnitTops> parts = new ArrayList<>();
            for (int from = 0; from < all.size();) {
                int to = Math.min(all.size(), from + units * (1 + random.nextInt(8)));
                parts.add(pass(all.subList(from, to), units, k));
                from = to;
            }
            Collections.shuffle(parts, random);
            UnitTops leftFold = parts.get(0);
            for (int i = 1; i < parts.size(); i++) {
                leftFold = leftFold.merge(parts.get(i));
            }
            UnitTops rightFold = parts.get(parts.size() - 1);
            for (int i = parts.size() - 2; i >= 0; i--) {
                rightFold = parts.get(i).merge(rightFold);
            }
            assertSame(leftFold, one);
            assertSame(rightFold, one);
        }
    }

    @Test
    void anEmptyTableIsTheIdentityAndInputsStayUnchanged() {
        UnitTops a = new UnitTops(1, 2);
        a.offer(0, 3f, "b.png", 1, 2);
        a.offer(0, 3f, "a.png", 0, 0);
        UnitTops merged = a.merge(new UnitTops(1, 2));
        assertThat(merged.image(0, 0)).isEqualTo("a.png");
        assertThat(merged.image(0, 1)).isEqualTo("b.png");
        assertThat(merged).isNotSameAs(a);
        assertThat(a.count(0)).isEqualTo(2);
    }
}
