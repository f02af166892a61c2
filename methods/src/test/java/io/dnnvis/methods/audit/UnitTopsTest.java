package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The running top K of a unit: larger first, ties to the path that sorts first, K kept, saved exactly. */
class UnitTopsTest {

    @Test
    void keepsTheKStrongestInOrderWithTiesToTheFirstPath() {
        UnitTops tops = new UnitTops(2, 3);
        tops.offer(0, 1.0f, "d.png", 0, 0);
        tops.offer(0, 2.0f, "c.png", 1, 1);
        tops.offer(0, 2.0f, "a.png", 2, 2);
        tops.offer(0, 0.5f, "e.png", 3, 3);
        tops.offer(0, 2.0f, "b.png", 4, 4);
        tops.offer(0, Float.NaN, "f.png", 5, 5);
        assertThat(tops.count(0)).isEqualTo(3);
        assertThat(new String[] {tops.image(0, 0), tops.image(0, 1), tops.image(0, 2)})
                .containsExactly("a.png", "b.png", "c.png");
        assertThat(new int[] {tops.y(0, 0), tops.y(0, 1), tops.y(0, 2)}).containsExactly(2, 4, 1);
        assertThat(tops.count(1)).isZero();
        tops.offer(1, -3f, "z.png", 0, 7);
        assertThat(tops.count(1)).isEqualTo(1);
        assertThat(tops.x(1, 0)).isEqualTo(7);
        assertThat(tops.activation(1, 0)).isEqualTo(-3f);
    }

    @Test
    void aSavedTableReadsBackTheSame() throws IOException {
        UnitTops tops = new UnitTops(3, 2);
        tops.offer(2, 0.1f + 0.2f, "x/y.png", 3, 4);
        tops.offer(0, 7f, "q.png", 1, 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        tops.write(new DataOutputStream(bytes));
        UnitTops back = UnitTops.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.units()).isEqualTo(3);
        assertThat(back.count(2)).isEqualTo(1);
        assertThat(back.image(2, 0)).isEqualTo("x/y.png");
        assertThat(Float.floatToRawIntBits(back.activation(2, 0))).isEqualTo(Float.floatToRawIntBits(0.1f + 0.2f));
        assertThat(back.count(1)).isZero();
        assertThat(back.activation(0, 0)).isEqualTo(7f);
    }
}
